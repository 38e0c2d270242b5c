"""Every cell of the authorization matrix (tests/authorization_matrix.py): each role sends each
request, on SQLite and on PostgreSQL, and gets the answer the table says — and the README prints
the same table."""

import json
import os
from pathlib import Path

import pytest
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db import transaction

from binding_forms.binding.services import wizard_page_create
from binding_forms.identity.personal_data import encrypt, id_number_digest
from binding_forms.models import Applicant, Application, BindingLetter, BindingWizardPage
from review_workflow.models import MailTemplate, OutgoingMail, ParentAccount, ParentStudentLink
from tests.authorization_matrix import CELLS, ROLES, markdown
from tests.factories import (
    MOTHER,
    DocumentFactory,
    UserFactory,
    admin_login,
    editor_user,
    student,
    submitted_application,
)

# MATRIX_OBSERVE=FILE: write what each role got (to review before changing the table).
OBSERVED = {} if os.environ.get("MATRIX_OBSERVE") else None
# The names school X's records hold (the student, the applicant): nobody else sees them.
X_NAMES = ("陳小花", "陳大名")
SEES_X_NAMES = {"registrar X", "superuser", "student X"}
README = Path(__file__).resolve().parents[2] / "README.md"


def _parent(*, of, email):
    user = UserFactory(username=email, email=email)
    ParentAccount.objects.create(
        user=user, id_number_digest=id_number_digest(email), id_number_encrypted=encrypt("x")
    )
    return ParentStudentLink.objects.create(parent=user, student=of, relationship="父女")


@pytest.fixture
def world(songshan, yingqiao, registrar, other_registrar, home_page):
    """School X (松山) with an application in review, a link, a mail; school Y the same."""
    pupil_x = student(school=songshan)
    pupil_y = student(school=yingqiao, number="200001", name="林大明", id_number="F131104093")
    # Reloaded: the published revision the parents agree to is read from the database.
    page = BindingWizardPage.objects.get(pk=wizard_page_create(parent=home_page).pk)
    app_x = submitted_application(student=pupil_x, page=page)
    app_y = submitted_application(student=pupil_y, page=page, applicants=(MOTHER,))
    sibling_x = student(school=songshan, number="108036", name="陳小明", id_number="A100000001")
    link_x = _parent(of=sibling_x, email="parent-x@example.com")
    link_y = _parent(of=pupil_y, email="parent-y@example.com")
    state_x = app_x.current_workflow_state
    users = {
        "anonymous": None,
        "student X": pupil_x.user,
        "student Y": pupil_y.user,
        "parent X": link_x.parent,
        "parent Y": link_y.parent,
        "registrar X": registrar,
        "registrar Y": other_registrar,
        "editor": editor_user(username="editor"),
        "superuser": get_user_model().objects.create_superuser("root", "root@example.com", "x"),
    }
    ids = {
        "app": app_x.pk,
        "app_y": app_y.pk,
        "state": state_x.current_task_state.pk,
        "state_y": app_y.current_workflow_state.current_task_state.pk,
        "wfstate": state_x.pk,
        "rev": Application.objects.get(pk=app_x.pk).latest_revision_id,
        "link": link_x.pk,
        "link_y": link_y.pk,
        "student": pupil_x.pk,
        "mail": OutgoingMail.objects.filter(application=app_x).first().pk,
        "template": MailTemplate.objects.get(kind="submitted").pk,
        "home": home_page.pk,
        "doc": DocumentFactory().pk,
        "school": songshan.pk,
    }
    return users, ids


def fingerprint() -> tuple:
    """What a decision, a lock, a revocation or a reset changes."""
    from wagtail.models import TaskState

    return (
        list(Application.objects.values_list("pk", "live", "locked", "submitted_at")),
        list(TaskState.objects.values_list("pk", "status")),
        list(ParentStudentLink.objects.values_list("pk", "revoked_at")),
        list(get_user_model().objects.values_list("pk", "password", "password_change_required")),
        list(Applicant.objects.values_list("pk", "email")),
        OutgoingMail.objects.count(),
        list(MailTemplate.objects.values_list("pk", "subject", "body")),
        list(BindingLetter.objects.values_list("pk", "voided_at")),
    )


def outcome(response, changed: bool) -> str:
    if response.status_code in (301, 302):
        location = response["Location"]
        if location.startswith(("/admin/login/", "/signin/?")):
            return "login"
        if location == "/admin/":
            return "denied"
        # Messages this request added (earlier ones wait in the session until shown).
        added = getattr(response.wsgi_request, "_messages", None)
        if any(m.level >= messages.ERROR for m in getattr(added, "_queued_messages", ())):
            return "refused"
        if response.request["REQUEST_METHOD"] == "POST" and not changed:
            return "refused"
        return "done"
    if 200 <= response.status_code < 300:
        return "ok"
    return str(response.status_code)


def _sign_in(client, user):
    if user is None:
        return
    if user.is_staff or user.is_superuser:
        admin_login(client, user)
    else:
        client.force_login(user)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_every_url_answers_each_role_as_the_matrix_says(client, world, role):
    users, ids = world
    _sign_in(client, users[role])
    wrong = []
    shown_x_names = 0
    for label, method, template, data, expected in CELLS:
        url = template.format(**ids)
        # Each request on the world as set up: its effects are rolled back after it.
        with transaction.atomic():
            before = fingerprint()
            if method == "GET":
                response = client.get(url)
            else:
                response = client.post(url, data or {})
            # A streamed export reads the database as it is sent: read it inside.
            text = b"".join(
                response.streaming_content if response.streaming else [response.content]
            ).decode("utf-8", "replace")
            changed = fingerprint() != before
            transaction.set_rollback(True)
        got = outcome(response, changed)
        if changed and got not in ("ok", "done"):
            wrong.append(f"{method} {label} ({url}): answered {got} but changed the records")
        if any(name in text for name in X_NAMES):
            shown_x_names += 1
            if role not in SEES_X_NAMES:
                wrong.append(f"{method} {label} ({url}): shows a name of school X's records")
        if OBSERVED is not None:
            OBSERVED.setdefault((label, method), {})[role] = got
        if got != expected[role]:
            wrong.append(f"{method} {label} ({url}): expected {expected[role]}, got {got}")
    if OBSERVED is not None:
        with open(os.environ["MATRIX_OBSERVE"], "w") as file:
            json.dump([[*key, cells] for key, cells in OBSERVED.items()], file, ensure_ascii=False)
    assert not wrong, "\n".join(wrong)
    if role == "registrar X":  # the names are found where they are shown
        assert shown_x_names > 10


def test_the_readme_prints_the_matrix():
    assert markdown() in README.read_text(encoding="utf-8"), (
        "README's security section: paste `python -m tests.authorization_matrix`"
    )
