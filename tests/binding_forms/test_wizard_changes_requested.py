"""A school that asks for changes, as the parent meets it: the comment where they land, the
progress bar in the state it is in, and ID numbers never back in a page in full."""

import re

import pytest

from binding_forms.identity.personal_data import decrypt
from binding_forms.models import Applicant, Application
from tests.binding_forms.test_wizard import (
    TWO_APPLICANTS,
    applicants_post,
    url,
    walk_to_applicants,
)
from tests.factories import FATHER, MOTHER


def request_changes(admin_user, comment="手機號碼有誤，請更正"):
    task_state = Application.objects.get().current_workflow_state.current_task_state
    task_state.task.specific.on_action(task_state, admin_user, "reject", comment=comment)


def progress(html: str) -> str:
    return re.search(r'<ol class="wizard-progress".*?</ol>', html, re.S).group(0)


@pytest.fixture
def changes_requested(parent_client, wizard, xiaohua, workflow, admin_user):
    walk_to_applicants(parent_client, wizard)
    parent_client.post(url(wizard, "applicants"), applicants_post(TWO_APPLICANTS, FATHER, MOTHER))
    request_changes(admin_user)
    return parent_client


@pytest.mark.django_db
def test_a_sign_in_lands_on_the_applicants_step_with_the_schools_comment(changes_requested, wizard):
    landing = changes_requested.get(url(wizard), follow=True)

    assert landing.redirect_chain[-1][0].endswith("/applicants/")
    html = landing.content.decode()
    assert "已要求修改" in html and "學校說明： 手機號碼有誤，請更正" in html
    assert "已要求修改" in progress(html) and "已設定" not in progress(html)
    assert "設定親子帳號成功!" not in html


@pytest.mark.django_db
def test_the_done_page_says_changes_requested_without_the_success_heading(
    changes_requested, wizard
):
    html = changes_requested.get(url(wizard, "done")).content.decode()

    assert "手機號碼有誤，請更正" in html and "修改後重新送出" in html
    assert 'class="success"' not in html and "設定親子帳號成功!" not in html
    assert "已要求修改" in progress(html)


@pytest.mark.django_db
def test_in_review_the_done_page_keeps_its_success_heading(parent_client, wizard, workflow):
    walk_to_applicants(parent_client, wizard)
    parent_client.post(url(wizard, "applicants"), applicants_post())

    html = parent_client.get(url(wizard, "done")).content.decode()

    assert "設定親子帳號成功!" in html and "審核中" in html and "已設定" in progress(html)
    assert "學校說明" not in html


@pytest.mark.django_db
def test_what_was_sent_comes_back_with_ids_masked_and_kept_unless_retyped(
    changes_requested, wizard, django_assert_max_num_queries
):
    with django_assert_max_num_queries(20):
        html = changes_requested.get(url(wizard, "applicants")).content.decode()

    assert FATHER["id_number"] not in html and MOTHER["id_number"] not in html
    assert "已儲存：A12****789" in html and "已儲存：A22****139" in html
    assert 'name="applicant1-id_number" autocomplete' in html  # an empty input: no value
    assert 'value="0912123456"' in html  # the rest starts from what was sent

    # The father's ID left empty (kept), the mother's retyped.
    changes_requested.post(
        url(wizard, "applicants"),
        applicants_post(
            TWO_APPLICANTS,
            {**FATHER, "id_number": "", "mobile": "0912000111"},
            {**MOTHER, "id_number": "B120863158"},
        ),
    )

    father, mother = Applicant.objects.order_by("position")
    assert (decrypt(father.id_number_encrypted), father.mobile) == ("A123456789", "0912000111")
    assert decrypt(mother.id_number_encrypted) == "B120863158"
    assert "審核中" in changes_requested.get(url(wizard, "done")).content.decode()


@pytest.mark.django_db
def test_a_draft_keeps_the_encrypted_id_when_it_is_left_empty(parent_client, wizard, xiaohua):
    walk_to_applicants(parent_client, wizard)
    parent_client.post(url(wizard, "applicants"), applicants_post(action="save"))
    saved = Application.objects.get().draft_data["applicant1"]["id_number_encrypted"]

    # Saved again with the ID left empty (as the page now shows it), then sent.
    parent_client.post(
        url(wizard, "applicants"),
        applicants_post(first={**FATHER, "id_number": ""}, action="save"),
    )
    assert Application.objects.get().draft_data["applicant1"]["id_number_encrypted"] == saved
    html = parent_client.get(url(wizard, "applicants")).content.decode()
    assert FATHER["id_number"] not in html and "已儲存：A12****789" in html

    done = parent_client.post(
        url(wizard, "applicants"), applicants_post(first={**FATHER, "id_number": ""})
    )

    assert done["Location"].endswith("/done/")
    assert decrypt(Applicant.objects.get().id_number_encrypted) == FATHER["id_number"]


@pytest.mark.django_db
def test_after_the_retention_period_the_parent_types_the_ids_again(changes_requested, wizard):
    """Sent back and left so past RETENTION_APPLICANT_ID_DAYS: the retention job dropped the
    encrypted IDs (only the digests stay), so the page has nothing to show masked, and the form
    asks for them beside the fields instead of failing."""
    import datetime

    from django.utils import timezone
    from wagtail.models import TaskState

    from review_workflow.services.retention import retention_run

    TaskState.objects.update(finished_at=timezone.now() - datetime.timedelta(days=40))
    assert retention_run().unapproved_applicant_ids_dropped == 2

    html = changes_requested.get(url(wizard, "applicants")).content.decode()
    assert "已儲存：" not in html and FATHER["id_number"] not in html
    assert 'value="0912123456"' in html  # the rest still starts from what was sent

    refused = changes_requested.post(
        url(wizard, "applicants"),
        applicants_post(TWO_APPLICANTS, {**FATHER, "id_number": ""}, {**MOTHER, "id_number": ""}),
    )
    assert refused.status_code == 200
    assert 'id="id_applicant1-id_number-error"' in refused.content.decode()
    assert Applicant.objects.exclude(id_number_encrypted="").count() == 0

    done = changes_requested.post(
        url(wizard, "applicants"), applicants_post(TWO_APPLICANTS, FATHER, MOTHER)
    )
    assert done.status_code == 302 and done["Location"].endswith("/done/")
    father, mother = Applicant.objects.order_by("position")
    assert decrypt(father.id_number_encrypted) == FATHER["id_number"]
    assert decrypt(mother.id_number_encrypted) == MOTHER["id_number"]
