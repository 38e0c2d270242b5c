"""The approval mail's link opens the sign-in page on the tab the parent now signs in with."""

import re

import pytest

from review_workflow.models import OutgoingMail
from tests.factories import student, submitted_application
from tests.review_workflow.test_approval import decide


@pytest.mark.django_db
@pytest.mark.parametrize("existing_account", [False, True])
def test_the_approval_mails_link_opens_the_parent_tab(
    client, songshan, registrar, existing_account
):
    if existing_account:
        # The father already has a parent account (another child): the 已加入 mail.
        decide(submitted_application(student=student(school=songshan)), registrar, "approve")
    xiaohua = student(school=songshan, number="108036", id_number="B123456780")
    decide(submitted_application(student=xiaohua), registrar, "approve")

    approval = OutgoingMail.objects.get(application__student=xiaohua, kind__startswith="approved")
    assert approval.kind == ("approved_existing" if existing_account else "approved")
    link = re.search(r"登入：(\S+)", approval.body).group(1)
    page = client.get(link.removeprefix("http://testserver")).content.decode()

    assert 'name="email"' in page and 'name="account"' not in page
    assert 'name="tab" value="parent"' in page
