"""What a new registrar reads: who submitted, and the mail list's columns (issue 13)."""

import pytest
from django.urls import reverse

from binding_forms.models import Application
from tests.factories import admin_login, student
from tests.review_workflow.test_registrar_screens import application, urls

pytestmark = pytest.mark.django_db


@pytest.fixture
def workflow(db):
    return Application().get_workflow()


def test_awaiting_review_names_the_applicant_parent_not_the_student_account(
    client, registrar, songshan, workflow
):
    pupil = student(school=songshan, name="陳小花")
    application(pupil=pupil)  # 陳大名 applies with his daughter's student account
    admin_login(client, registrar)

    html = client.get(reverse("wagtailadmin_home")).content.decode()

    panel = html[html.index('id="awaiting-review-section"') :]
    assert "陳大名（陳小花家長）" in panel


def test_the_mail_list_heads_its_status_column_with_the_delivery(
    client, registrar, songshan, workflow
):
    app = application(pupil=student(school=songshan))
    admin_login(client, registrar)

    html = client.get(urls(app)["edit"]).content.decode()

    mails = html[
        html.index('class="mail-status"') : html.index(
            "</section>", html.index('class="mail-status"')
        )
    ]
    assert "寄送狀態" in mails and "審核狀態" not in mails
