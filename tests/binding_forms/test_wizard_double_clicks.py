"""Each step a parent can repeat, sent twice at the same moment (a double click on a slow phone,
a second tab) through the real views on a real PostgreSQL: the second answer is the page of the
state the first left, nothing happens twice, no code is accepted twice or lost."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connection
from django.test import Client
from django_otp.plugins.otp_email.models import EmailDevice
from wagtail.models import WorkflowState

from binding_forms.accounts.sign_in_name import student_username
from binding_forms.models import Applicant, Application
from tests.binding_forms.test_wizard import applicants_post, url, walk_to_applicants
from tests.concurrency import at_once
from tests.factories import FATHER, MOTHER, school, student

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks need PostgreSQL (CI runs the suite on it: DATABASE_URL=postgres://…)",
    ),
]
TWO_APPLICANTS = "0"


@pytest.fixture
def verifying(wizard):
    wizard.verify_email = True
    wizard.save_revision().publish()
    return wizard


@pytest.fixture
def parent_client():
    pupil = student(school=school())
    pupil.user = get_user_model().objects.create_user(student_username("313601", "P108035"))
    pupil.save()
    client = Client()
    client.force_login(pupil.user)
    return client


def twice(client, path, data) -> list:
    """POST ``data`` to ``path`` from two threads at once, in the same session (one browser)."""

    def send():
        other = Client()
        other.cookies = client.cookies
        return other.post(path, data)

    return at_once(send, send)


def codes() -> dict:
    return {m.to[0]: re.search(r"\b(\d{6})\b", m.body).group(1) for m in mail.outbox}


def code_answers(application) -> dict:
    sent = codes()
    return {
        f"code{index}-code": sent[email]
        for index, email in enumerate(application.draft_data["pending"])
    }


def test_confirming_the_student_twice(parent_client, wizard):
    answers = twice(parent_client, url(wizard, "student"), {"action": "confirm"})

    assert [answer.status_code for answer in answers] == [302, 302]
    assert Application.objects.get().student_confirmed_at is not None


def test_consenting_twice(parent_client, wizard):
    parent_client.post(url(wizard, "student"), {"action": "confirm"})

    answers = twice(parent_client, url(wizard, "consent"), {"choice": "agreed"})

    assert [answer["Location"] for answer in answers] == [url(wizard, "applicants")] * 2
    assert Application.objects.get().consent == "agreed"


def test_saving_the_applicants_twice(parent_client, wizard):
    walk_to_applicants(parent_client, wizard)

    answers = twice(parent_client, url(wizard, "applicants"), applicants_post(action="save"))

    assert [answer["Location"] for answer in answers] == [url(wizard, "applicants")] * 2
    assert Application.objects.get().draft_data["applicant1"]["name"] == FATHER["name"]


def test_sending_the_applicants_twice_without_codes(parent_client, wizard):
    walk_to_applicants(parent_client, wizard)

    answers = twice(parent_client, url(wizard, "applicants"), applicants_post())

    assert [answer["Location"] for answer in answers] == [url(wizard, "done")] * 2
    assert Applicant.objects.count() == 1
    assert WorkflowState.objects.get().status == WorkflowState.STATUS_IN_PROGRESS
    assert Application.objects.get().draft_data == {}


def test_sending_the_applicants_twice_makes_one_code_each_and_the_parent_goes_on(
    parent_client, verifying
):
    walk_to_applicants(parent_client, verifying)

    answers = twice(
        parent_client,
        url(verifying, "applicants"),
        applicants_post(TWO_APPLICANTS, FATHER, MOTHER),
    )

    assert [answer["Location"] for answer in answers] == [url(verifying, "verify")] * 2
    # One device and one mail an address: the second request found them (and the minute's wait).
    assert sorted(EmailDevice.objects.values_list("email", flat=True)) == [
        FATHER["email"],
        MOTHER["email"],
    ]
    assert len(mail.outbox) == 2
    resent = parent_client.post(url(verifying, "verify"), {"action": "resend"})
    assert resent.status_code == 302
    application = Application.objects.get()
    done = parent_client.post(url(verifying, "verify"), code_answers(application))
    assert done["Location"] == url(verifying, "done")


def test_the_final_step_twice_sends_once_and_both_answers_say_it_was_sent(parent_client, verifying):
    walk_to_applicants(parent_client, verifying)
    parent_client.post(
        url(verifying, "applicants"), applicants_post(TWO_APPLICANTS, FATHER, MOTHER)
    )

    answers = twice(
        parent_client, url(verifying, "verify"), code_answers(Application.objects.get())
    )

    assert [answer["Location"] for answer in answers] == [url(verifying, "done")] * 2
    application = Application.objects.get()
    assert application.submitted_at is not None
    assert application.draft_data == {}  # no pending list, no encrypted IDs left behind
    assert Applicant.objects.count() == 2
    assert all(applicant.email_verified_at for applicant in Applicant.objects.all())
    assert WorkflowState.objects.count() == 1
    # Each code was used up once: neither works again.
    assert not any(device.token for device in EmailDevice.objects.all())


def test_sending_the_codes_again_twice_mails_each_address_once(parent_client, verifying):
    walk_to_applicants(parent_client, verifying)
    parent_client.post(
        url(verifying, "applicants"), applicants_post(TWO_APPLICANTS, FATHER, MOTHER)
    )
    EmailDevice.objects.update(last_generated_timestamp=None)  # the minute has passed
    mail.outbox.clear()

    answers = twice(parent_client, url(verifying, "verify"), {"action": "resend"})

    assert [answer["Location"] for answer in answers] == [url(verifying, "verify")] * 2
    assert sorted(m.to[0] for m in mail.outbox) == [FATHER["email"], MOTHER["email"]]
    done = parent_client.post(url(verifying, "verify"), code_answers(Application.objects.get()))
    assert done["Location"] == url(verifying, "done")


def test_devices_a_double_click_left_before_the_fix_do_not_strand_the_parent(
    parent_client, verifying
):
    walk_to_applicants(parent_client, verifying)
    parent_client.post(url(verifying, "applicants"), applicants_post())
    device = EmailDevice.objects.get()
    first_code = codes()[FATHER["email"]]
    # The second device of an old double click, which mailed its own code.
    device.pk = None
    device.save()
    device.generate_challenge()
    second_code = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
    assert EmailDevice.objects.count() == 2

    resent = parent_client.post(url(verifying, "verify"), {"action": "resend"})
    assert resent.status_code == 302
    assert EmailDevice.objects.count() == 1  # the newest kept
    done = parent_client.post(url(verifying, "verify"), {"code0-code": second_code})
    assert done["Location"] == url(verifying, "done")
    assert first_code  # mailed by the removed device: no longer asked for
