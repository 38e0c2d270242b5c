"""After changes were requested: the registrar sees what the parent changed, the history names
no edit the registrar did not make, and speaks zh-Hant."""

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from binding_forms.binding.services import application_submit, wizard_page_create
from binding_forms.models import ApplicationType, BindingWizardPage
from review_workflow.models import SchoolLogEntry
from tests.factories import FATHER, admin_login, student, submitted_application

CHANGED_MOBILE = "0912000111"


class VisibleText(HTMLParser):
    """The text a reader sees (not scripts, styles or templates for JavaScript)."""

    HIDDEN = {"script", "style", "template", "noscript", "title"}

    def __init__(self):
        super().__init__()
        self.hidden = 0
        self.lines: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.hidden += tag in self.HIDDEN

    def handle_endtag(self, tag):
        self.hidden -= tag in self.HIDDEN

    def handle_data(self, data):
        if not self.hidden and data.strip():
            self.lines.append(data.strip())


def english_lines(response, allowed=()) -> list[str]:
    parser = VisibleText()
    parser.feed(response.content.decode())
    return [
        line
        for line in parser.lines
        if re.search(r"[A-Za-z]{3,}", line) and not any(ok in line for ok in allowed)
    ]


@pytest.fixture
def resubmitted(client, songshan, registrar, home_page):
    """The registrar asks for changes from the edit screen; the parent changes the mobile."""
    page = BindingWizardPage.objects.get(pk=wizard_page_create(parent=home_page).pk)
    application = submitted_application(student=student(school=songshan), page=page)
    admin_login(client, registrar)
    response = client.post(
        reverse("application:edit", args=(application.pk,)),
        {
            "applicant_1_email": FATHER["email"],
            "action-workflow-action": "true",
            "workflow-action-name": "reject",
            "workflow-action-extra-data": '{"comment": "手機號碼有誤"}',
        },
    )
    assert response.status_code == 302
    application_submit(
        application=application,
        application_type=ApplicationType(label="一位申請帳號", applicant_count=1),
        applicants=[{**FATHER, "mobile": CHANGED_MOBILE, "position": 1}],
        user=application.requester,
    )
    return application


@pytest.mark.django_db
def test_the_registrar_sees_the_applicants_as_first_sent_and_as_resent(client, resubmitted):
    html = client.get(reverse("application:edit", args=(resubmitted.pk,))).content.decode()

    assert "歷次送出的申請資料" in html
    table = html[html.index("歷次送出的申請資料") :]
    assert "第一次送出" in table and "重新送出" in table
    assert FATHER["mobile"] in table and f"<mark>{CHANGED_MOBILE}</mark>" in table
    assert f"<mark>{FATHER['email']}</mark>" not in table  # unchanged values are not marked
    assert FATHER["id_number"] not in html


@pytest.mark.django_db
def test_deciding_without_changing_anything_is_no_edit_in_the_history(resubmitted, registrar):
    actions = list(
        SchoolLogEntry.objects.filter(object_id=str(resubmitted.pk), user=registrar).values_list(
            "action", flat=True
        )
    )

    assert "wagtail.edit" not in actions
    assert "wagtail.workflow.reject" in actions


@pytest.mark.django_db
def test_the_history_pages_have_no_english_lines(client, resubmitted):
    workflow_state = resubmitted.current_workflow_state
    pages = {
        "history": reverse("application:history", args=(resubmitted.pk,)),
        "workflow history": reverse("application:workflow_history", args=(resubmitted.pk,)),
        "workflow detail": reverse(
            "application:workflow_history_detail", args=(resubmitted.pk, workflow_state.pk)
        ),
    }
    # Wagtail's notice for browsers without JavaScript, and the people's sign-in names.
    allowed = ("JavaScript", "Here are the", "registrar", "P108035")

    for name, url in pages.items():
        assert english_lines(client.get(url), allowed) == [], name
