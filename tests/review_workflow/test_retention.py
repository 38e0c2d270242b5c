"""Retention (PDPA Art. 11): ``manage.py retention`` ends, deletes and drops what has outlived its
purpose, logs counts only, changes nothing in a dry run, and a second run finds nothing."""

import datetime
import io
import logging

import pytest
from axes.models import AccessLog
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from binding_forms.identity.personal_data import encrypt, id_number_digest
from binding_forms.models import Applicant, Application
from review_workflow.models import (
    MailTemplate,
    OutgoingMail,
    ParentAccount,
    ParentStudentLink,
    SchoolFormSubmission,
)
from review_workflow.services.retention import RetentionCounts, retention_run
from tests.factories import school_form, student

DAYS = datetime.timedelta(days=1)
FATHER_ID = "A123456789"
MOTHER_ID = "A228704139"


def _parent(email, id_number, *, first_password_pending=True):
    """A parent account; by default still on its first password (its encrypted ID is needed)."""
    user = get_user_model().objects.create_user(
        email, email=email, first_name="陳大名", password_change_required=first_password_pending
    )
    ParentAccount.objects.create(
        user=user,
        id_number_digest=id_number_digest(id_number),
        id_number_encrypted=encrypt(id_number),
        first_password_expires_at=timezone.now() + 10 * DAYS if first_password_pending else None,
    )
    return user


def _application(*, pupil, requester, live=False, submitted=True, published_days_ago=None):
    now = timezone.now()
    app = Application.objects.create(
        student=pupil,
        requester=requester,
        live=live,
        applicant_count=1,
        submitted_at=now if submitted else None,
        last_published_at=now - published_days_ago * DAYS if published_days_ago else None,
    )
    applicant = Applicant(
        application=app,
        position=1,
        name="陳大名",
        relationship="父女",
        mobile="0912123456",
        email="dad@example.com",
    )
    applicant.set_id_number(FATHER_ID)
    applicant.save()
    return app


def _age(queryset, days, field="created_at"):
    queryset.update(**{field: timezone.now() - days * DAYS})


@pytest.fixture
def world(songshan, home_page):
    """One row on each side of every rule."""
    requester = get_user_model().objects.create_user("313601-P108099")
    left = student(school=songshan, number="108001", name="離校生", enrolled=False)
    staying = student(school=songshan, number="108002", name="在校生", id_number="A287654328")

    dad = _parent("dad@example.com", FATHER_ID)  # active link: stays
    ParentStudentLink.objects.create(parent=dad, student=staying, relationship="父女")
    leaver_link = ParentStudentLink.objects.create(parent=dad, student=left, relationship="父女")

    gone = _parent("gone@example.com", MOTHER_ID)  # unbound 40 days ago: deleted
    ParentStudentLink.objects.create(
        parent=gone,
        student=staying,
        relationship="母女",
        revoked_at=timezone.now() - 40 * DAYS,
    )
    AccessLog.objects.create(username="gone@example.com", user_agent="x", http_accept="")

    recent = _parent("recent@example.com", "B100000001")  # unbound 5 days ago: stays
    ParentStudentLink.objects.create(
        parent=recent,
        student=staying,
        relationship="父子",
        revoked_at=timezone.now() - 5 * DAYS,
    )

    sender = _parent("sender@example.com", "B100000002")  # sent a form the school keeps
    ParentStudentLink.objects.create(
        parent=sender,
        student=staying,
        relationship="母子",
        revoked_at=timezone.now() - 40 * DAYS,
    )
    form = school_form(parent=home_page)
    SchoolFormSubmission.objects.create(
        page=form, requester=sender, student=staying, live=False, submitted_at=timezone.now()
    )

    old_approved = _application(
        pupil=student(school=songshan, number="108003", id_number="B100000003"),
        requester=requester,
        live=True,
        published_days_ago=40,
    )
    new_approved = _application(
        pupil=student(school=songshan, number="108004", id_number="B100000004"),
        requester=requester,
        live=True,
        published_days_ago=2,
    )
    old_draft = _application(
        pupil=student(school=songshan, number="108005", id_number="B100000005"),
        requester=requester,
        submitted=False,
    )
    _age(Application.objects.filter(pk=old_draft.pk), 100)
    new_draft = _application(
        pupil=student(school=songshan, number="108006", id_number="B100000006"),
        requester=requester,
        submitted=False,
    )
    old_form_draft = SchoolFormSubmission.objects.create(
        page=form, requester=dad, student=staying, live=False
    )
    _age(SchoolFormSubmission.objects.filter(pk=old_form_draft.pk), 100)
    return {
        "dad": dad,
        "gone": gone,
        "recent": recent,
        "sender": sender,
        "leaver_link": leaver_link,
        "old_approved": old_approved,
        "new_approved": new_approved,
        "old_draft": old_draft,
        "new_draft": new_draft,
        "old_form_draft": old_form_draft,
    }


EXPECTED = RetentionCounts(
    links_ended=1,
    left_school_mails=1,
    parent_accounts_deleted=1,
    parent_accounts_kept=1,
    applicant_ids_dropped=1,
    application_drafts_deleted=1,
    form_drafts_deleted=1,
)


def _snapshot():
    return (
        list(ParentStudentLink.objects.values_list("pk", "revoked_at").order_by("pk")),
        sorted(get_user_model().objects.values_list("pk", flat=True)),
        list(Applicant.objects.values_list("pk", "id_number_encrypted").order_by("pk")),
        list(ParentAccount.objects.values_list("pk", "id_number_encrypted").order_by("pk")),
        OutgoingMail.objects.count(),
        sorted(Application.objects.values_list("pk", flat=True)),
        sorted(SchoolFormSubmission.objects.values_list("pk", flat=True)),
        AccessLog.objects.count(),
    )


@pytest.mark.django_db
def test_a_dry_run_counts_and_changes_nothing(world):
    before = _snapshot()
    assert retention_run(dry_run=True) == EXPECTED
    assert _snapshot() == before


@pytest.mark.django_db
def test_a_run_applies_each_rule_once(world):
    assert retention_run() == EXPECTED

    world["leaver_link"].refresh_from_db()
    assert world["leaver_link"].revoked_at is not None
    assert ParentStudentLink.objects.active().filter(parent=world["dad"]).count() == 1
    users = get_user_model().objects
    assert not users.filter(pk=world["gone"].pk).exists()
    assert not ParentAccount.objects.filter(user_id=world["gone"].pk).exists()
    assert not AccessLog.objects.filter(username="gone@example.com").exists()
    for kept in ("dad", "recent", "sender"):
        assert users.filter(pk=world[kept].pk).exists(), kept

    old = Applicant.objects.get(application=world["old_approved"])
    assert old.id_number_encrypted == ""
    assert old.id_number_digest == id_number_digest(FATHER_ID)  # matching still works
    assert Applicant.objects.get(application=world["new_approved"]).id_number_encrypted

    assert not Application.objects.filter(pk=world["old_draft"].pk).exists()
    assert Application.objects.filter(pk=world["new_draft"].pk).exists()
    assert not SchoolFormSubmission.objects.filter(pk=world["old_form_draft"].pk).exists()

    assert retention_run() == RetentionCounts(parent_accounts_kept=1)  # idempotent


@pytest.mark.django_db
def test_the_period_comes_from_settings(world, settings):
    settings.RETENTION_PARENT_ACCOUNT_DAYS = 3
    assert retention_run(dry_run=True).parent_accounts_deleted == 2  # "recent" too


@pytest.mark.django_db
def test_the_log_and_the_output_hold_counts_only(world, caplog):
    out = io.StringIO()
    with caplog.at_level(logging.INFO, logger="review_workflow.retention"):
        call_command("retention", "--dry-run", stdout=out)
        call_command("retention", stdout=out)
    text = caplog.text + out.getvalue()
    assert "links_ended=1" in text and "dry run" in text
    for secret in (
        FATHER_ID,
        MOTHER_ID,
        "A12****789",
        id_number_digest(FATHER_ID),
        "@example.com",
        "陳大名",
        "離校生",
        "在校生",
    ):
        assert secret not in text, secret


# The parent is told when a link ends because the child left school ----------------------------


@pytest.mark.django_db
def test_the_parent_is_mailed_in_the_editors_wording_when_the_child_left(world):
    template = MailTemplate.objects.get(kind="left_school")  # installed by the migration
    assert "已離開" in template.body
    template.subject = "{{ student_name }} 已離校，綁定結束"
    template.save()

    retention_run()

    [mail] = OutgoingMail.objects.filter(kind="left_school")
    assert mail.to_address == "dad@example.com"
    assert mail.link == world["leaver_link"] and mail.user == world["dad"]
    assert mail.subject == "離校生 已離校，綁定結束"
    assert "離校生" in mail.body and "臺北市立松山國民小學" in mail.body
    assert FATHER_ID not in mail.body and "A12****789" not in mail.body
    retention_run()
    assert OutgoingMail.objects.filter(kind="left_school").count() == 1  # once


@pytest.mark.django_db
def test_a_parent_without_an_address_is_not_mailed(world):
    get_user_model().objects.filter(pk=world["dad"].pk).update(email="")
    assert retention_run(dry_run=True).left_school_mails == 0
    counts = retention_run()
    assert counts.links_ended == 1 and counts.left_school_mails == 0
    assert not OutgoingMail.objects.filter(kind="left_school").exists()


@pytest.mark.django_db
def test_the_left_school_template_is_checked_like_the_others():
    from django.core.exceptions import ValidationError

    template = MailTemplate(kind="left_school", subject="{{ reason }}", body="x")
    with pytest.raises(ValidationError):
        template.full_clean()  # no reason is given to this mail: saving says so


# Applications sent back or cancelled: only the digest stays once the period is over ----------


def _decided(application, *, action, registrar, days_ago):
    """The review's decision on ``application`` (``reject``: changes requested, ``cancel``),
    dated ``days_ago``."""
    from wagtail.models import TaskState

    workflow_state = application.current_workflow_state
    if action == "cancel":
        workflow_state.cancel(user=registrar)
    else:
        task_state = workflow_state.current_task_state
        task_state.task.specific.on_action(task_state, registrar, action, comment="請更正手機")
    TaskState.objects.filter(workflow_state=workflow_state).update(
        finished_at=timezone.now() - days_ago * DAYS
    )
    application.refresh_from_db()
    return application


@pytest.fixture
def unapproved(songshan):
    from tests.factories import registrar_user, submitted_application

    registrar = registrar_user(of_school=songshan)

    def sent(number, id_number):
        return submitted_application(
            student=student(school=songshan, number=number, id_number=id_number)
        )

    old_rejected = _decided(
        sent("108011", "B100000011"), action="reject", registrar=registrar, days_ago=40
    )
    # The parent saved a draft after the school asked for changes: its copy of the ID goes too.
    draft = {"applicant1": {"name": "陳大名", "id_number_encrypted": encrypt(FATHER_ID)}}
    Application.objects.filter(pk=old_rejected.pk).update(draft_data=draft)
    return {
        "old_rejected": old_rejected,
        "old_cancelled": _decided(
            sent("108012", "B100000012"), action="cancel", registrar=registrar, days_ago=40
        ),
        "new_rejected": _decided(
            sent("108013", "B100000013"), action="reject", registrar=registrar, days_ago=5
        ),
        "in_review": sent("108014", "B100000014"),
    }


@pytest.mark.django_db
def test_sent_back_or_cancelled_applications_keep_only_the_digest_after_the_period(unapproved):
    assert unapproved["old_rejected"].status.name == "changes_requested"
    assert unapproved["old_cancelled"].status.name == "cancelled"
    before = Applicant.objects.get(application=unapproved["old_rejected"])

    assert retention_run(dry_run=True).unapproved_applicant_ids_dropped == 2
    assert Applicant.objects.exclude(id_number_encrypted="").count() == 4  # dry run
    assert retention_run().unapproved_applicant_ids_dropped == 2

    for name in ("old_rejected", "old_cancelled"):
        applicant = Applicant.objects.get(application=unapproved[name])
        assert applicant.id_number_encrypted == "", name
        assert applicant.id_number_masked == ""
    kept = Applicant.objects.get(application=unapproved["old_rejected"])
    assert kept.id_number_digest == before.id_number_digest  # matching still works
    draft = Application.objects.get(pk=unapproved["old_rejected"].pk).draft_data
    assert draft == {"applicant1": {"name": "陳大名", "id_number_encrypted": ""}}
    for name in ("new_rejected", "in_review"):
        assert Applicant.objects.get(application=unapproved[name]).id_number_encrypted, name
    assert retention_run().unapproved_applicant_ids_dropped == 0  # a second run: nothing


@pytest.mark.django_db
def test_the_unapproved_period_comes_from_settings(unapproved, settings):
    settings.RETENTION_APPLICANT_ID_DAYS = 3
    assert retention_run(dry_run=True).unapproved_applicant_ids_dropped == 3


# A parent account's encrypted ID: kept only while the first password may still be used -----


@pytest.mark.django_db
def test_a_parent_accounts_encrypted_id_goes_once_the_first_password_cannot_be_used(db):
    from django.contrib.auth import authenticate
    from django.test import RequestFactory

    pending = _parent("pending@example.com", FATHER_ID)
    own = _parent("own@example.com", MOTHER_ID)
    own.set_password("Hua-papa-2026!")
    own.password_change_required = False
    own.save()
    expired = _parent("expired@example.com", "B100000001")
    ParentAccount.objects.filter(user=expired).update(
        first_password_expires_at=timezone.now() - DAYS
    )
    digests = dict(ParentAccount.objects.values_list("user_id", "id_number_digest"))

    assert retention_run(dry_run=True).parent_account_ids_dropped == 2
    assert retention_run().parent_account_ids_dropped == 2

    held = dict(ParentAccount.objects.values_list("user_id", "id_number_encrypted"))
    assert held[own.pk] == "" and held[expired.pk] == ""
    assert held[pending.pk]  # the first password still signs in with it
    request = RequestFactory().post("/signin/")
    assert authenticate(request, username="pending@example.com", password=FATHER_ID[-6:]) == pending
    assert authenticate(request, username="own@example.com", password="Hua-papa-2026!") == own
    assert dict(ParentAccount.objects.values_list("user_id", "id_number_digest")) == digests
    assert retention_run().parent_account_ids_dropped == 0


@pytest.mark.django_db
def test_my_data_says_no_id_number_is_held_once_dropped(client):
    parent = _parent("own@example.com", FATHER_ID, first_password_pending=False)
    retention_run()
    client.force_login(parent)
    data = client.get("/me/data/", {"format": "json"}).json()
    # Not an empty field: what the portal holds instead (only the matching code, no number).
    assert data["parent_account"]["id_number"] == "已不保存：僅保留無法還原號碼的比對碼。"
    page = client.get("/me/data/").content.decode()
    assert "A12****789" not in page and FATHER_ID not in page
    assert "已不保存：僅保留無法還原號碼的比對碼。" in page
