"""A third form, 社團活動報名, built only through the Wagtail admin's own screens (a review task,
a workflow, then the page with its fields, published): a parent fills it in and the office of
the child's school approves it — no code and no rows written by the test."""

import pytest
from django.urls import reverse
from wagtail.models import Page, Task, Workflow
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from review_workflow.models import SchoolFormSubmission
from tests.factories import admin_login, editor_user

XHR = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}


def _field(label, kind, *, step="", required=True, choices=""):
    return {
        "step_title": step,
        "label": label,
        "field_type": kind,
        "required": "on" if required else "",
        "choices": choices,
        "default_value": "",
        "help_text": "",
    }


@pytest.mark.django_db
def test_a_form_built_in_the_admin_is_filled_in_by_a_parent_and_approved(
    client, admin_user, home_page, parent, child, reviewer
):
    # An administrator sets up who reviews it: the office of the child's school.
    admin_login(client, admin_user)
    response = client.post(
        reverse("wagtailadmin_workflows:add_task", args=("review_workflow", "schoolofficetask")),
        {"name": "學務處審核（社團）", "office": "student_affairs"},
    )
    assert response.status_code == 302, response.content.decode()
    task = Task.objects.get(name="學務處審核（社團）")
    response = client.post(
        reverse("wagtailadmin_workflows:add"),
        nested_form_data(
            {
                "name": "社團報名審核",
                "workflow_tasks": inline_formset([{"task": task.pk, "ORDER": 1}]),
                "pages": inline_formset([]),
            }
        ),
    )
    assert response.status_code == 302, response.content.decode()
    workflow = Workflow.objects.get(name="社團報名審核")

    # An editor builds the form and publishes it.
    admin_login(client, editor_user(username="editor"))
    response = client.post(
        reverse("wagtailadmin_pages:add", args=("review_workflow", "schoolformpage", home_page.pk)),
        nested_form_data(
            {
                "title": "社團活動報名",
                "slug": "clubs",
                "intro": rich_text("<p>本學期社團開放報名。</p>"),
                "thanks_text": rich_text("<p>報名已送出。</p>"),
                "workflow": workflow.pk,
                "form_fields": inline_formset(
                    [
                        _field(
                            "社團", "dropdown", step="選擇社團", choices="圍棋社\n桌球社\n合唱團"
                        ),
                        _field(
                            "上課時段", "checkboxes", required=False, choices="週三下午\n週五下午"
                        ),
                        _field("家長聯絡電話", "singleline", step="聯絡方式"),
                        _field("備註", "multiline", required=False),
                    ]
                ),
                "action-publish": "action-publish",
            }
        ),
    )
    assert response.status_code == 302, response.content.decode()
    page = Page.objects.get(slug="clubs").specific
    assert page.live and page.workflow == workflow

    # A parent fills it in for their child.
    client.logout()
    client.force_login(parent)
    response = client.get(page.url)
    assert response["Location"].startswith(f"{page.url}part1/")
    step = client.get(response["Location"]).content.decode()
    assert "選擇社團" in step and "圍棋社" in step and "週三下午" in step
    names = {field.label: field.clean_name for field in page.form_fields.all()}
    response = client.post(
        response["Location"], {names["社團"]: "桌球社", names["上課時段"]: ["週五下午"]}
    )
    assert "/part2/" in response["Location"]
    response = client.post(response["Location"], {names["家長聯絡電話"]: "0912123456"})
    assert "/confirm/" in response["Location"]
    assert "桌球社" in client.get(response["Location"]).content.decode()
    response = client.post(response["Location"])
    assert "/status/" in response["Location"]
    submission = SchoolFormSubmission.objects.get(page=page)
    assert submission.student == child and submission.status.name == "in_review"

    # The office of the child's school approves it.
    admin_login(client, reviewer)
    state = submission.current_workflow_state.current_task_state
    assert state.task_id == task.pk
    url = reverse(
        "school_form_submission:workflow_action", args=(submission.pk, "approve", state.pk)
    )
    assert client.post(url, {"comment": ""}, **XHR).status_code == 200
    submission.refresh_from_db()
    assert submission.live and submission.status.name == "approved"
