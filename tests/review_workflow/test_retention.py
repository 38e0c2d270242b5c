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

from binding_forms.identity.personal_data import id_number_digest
from binding_forms.models import Applicant, Application
from review_workflow.models import ParentAccount, ParentStudentLink, SchoolFormSubmission
from review_workflow.services.retention import RetentionCounts, retention_run
from tests.factories import school_form, student

DAYS = datetime.timedelta(days=1)
FATHER_ID = "A123456789"
MOTHER_ID = "A228704139"


def _parent(email, id_number):
    user = get_user_model().objects.create_user(email, email=email, first_name="陳大名")
    ParentAccount.objects.create(
        user=user, id_number_digest=id_number_digest(id_number), id_number_encrypted="x"
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
