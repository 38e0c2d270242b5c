"""The registrar's decision is the main action of the review screen: 核准 first, 要求修改 beside
it, and the message after a decision names it (issue 13)."""

import re

import pytest

from binding_forms.models import Application
from tests.factories import admin_login, student
from tests.review_workflow.test_registrar_screens import application, urls

pytestmark = pytest.mark.django_db


@pytest.fixture
def workflow(db):
    return Application().get_workflow()


def footer(html: str) -> str:
    return html[html.index('class="actions actions--primary') :]


def test_approve_is_the_main_button_and_request_changes_stands_beside_it(
    client, registrar, songshan, workflow
):
    app = application(pupil=student(school=songshan))
    admin_login(client, registrar)

    actions = footer(client.get(urls(app)["edit"]).content.decode())

    buttons = re.findall(
        r'<button[^>]*data-workflow-action-name="(\w+)"[^>]*>.*?</svg>\s*([^<]+?)\s*</button>',
        actions,
        flags=re.S,
    )
    # The first button of the footer is the dropdown's main one: 核准, then 要求修改.
    assert buttons[0] == ("approve", "核准")
    assert ("reject", "要求修改") in buttons
    # 要求修改 is a button of its own after the menu, not one of the menu's items.
    menu_end = actions.index("</div>", actions.rindex("w-dropdown__content"))
    reject_button = re.search(r'<button[^>]*data-workflow-action-name="reject"[^>]*>', actions)
    assert reject_button.start() > menu_end
    dropdown = actions[actions.index("w-dropdown") : menu_end]
    assert "並發布" not in actions and "核准並發布" not in actions
    assert "暫存" in dropdown or "儲存" in dropdown  # saving is still there, in the menu


def test_the_message_after_approval_says_it_was_approved(client, registrar, songshan, workflow):
    app = application(pupil=student(school=songshan))
    admin_login(client, registrar)

    response = client.post(
        urls(app)["edit"],
        {
            "applicant_1_email": "dad@example.com",
            "action-workflow-action": "true",
            "workflow-action-name": "approve",
        },
        follow=True,
    )

    app.refresh_from_db()
    assert app.live
    messages = [str(m) for m in response.context["messages"]]
    assert any("已核准" in m and app.student.name in m for m in messages), messages
    assert not any("已更新" in m for m in messages)


def test_the_message_after_requesting_changes_names_that_decision(
    client, registrar, songshan, workflow
):
    app = application(pupil=student(school=songshan))
    admin_login(client, registrar)

    response = client.post(
        urls(app)["edit"],
        {
            "applicant_1_email": "dad@example.com",
            "action-workflow-action": "true",
            "workflow-action-name": "reject",
            "workflow-action-extra-data": '{"comment": "手機號碼有誤"}',
        },
        follow=True,
    )

    app.refresh_from_db()
    assert app.current_workflow_state is None or app.current_workflow_state.status != "approved"
    messages = [str(m) for m in response.context["messages"]]
    assert any("要求修改" in m for m in messages), messages


def test_each_applicants_email_is_one_input_in_the_applicants_table(
    client, registrar, songshan, workflow
):
    """Wagtail rendered the fields no panel named a second time after the panels."""
    app = application(pupil=student(school=songshan))
    admin_login(client, registrar)

    html = client.get(urls(app)["edit"]).content.decode()

    assert html.count('name="applicant_1_email"') == 1
    assert html.count('id="id_applicant_1_email"') == 1
