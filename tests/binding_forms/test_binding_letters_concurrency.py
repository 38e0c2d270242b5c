"""A binding letter's single use and a class's reprint, each sent twice at the same moment
through the real views on a real PostgreSQL: the letter is used (and logged) once, both
sign-ins answer as a sign-in does, and two prints leave each student one letter that works."""

from functools import partial

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from binding_forms.letters.services import letters_issue
from binding_forms.models import BindingLetter
from review_workflow.models import SchoolLogEntry
from tests.binding_forms.test_signin import solve_captcha
from tests.concurrency import at_once
from tests.factories import admin_login, student

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks need PostgreSQL (CI runs the suite on it: DATABASE_URL=postgres://…)",
    ),
]


def test_two_sign_ins_with_one_letter_use_it_once(songshan, registrar):
    pupil = student(school=songshan)
    code = letters_issue(students=[pupil], printed_by=registrar)[0].code
    path = reverse("binding_letter", args=(code,))
    requests = []
    for _ in range(2):  # two phones of the same family
        client = Client()
        client.get(path)
        requests.append((client, path, {"password": "A234567893", **solve_captcha(client, path)}))

    answers = at_once(*(partial(client.post, path, data) for client, path, data in requests))

    assert [answer.status_code for answer in answers] == [302, 302]
    assert all(answer["Location"].startswith("/signin/password/") for answer in answers)
    letter = BindingLetter.objects.get()
    assert letter.state == BindingLetter.State.USED
    assert SchoolLogEntry.objects.filter(action="binding_forms.letter_used").count() == 1


def test_two_prints_of_a_class_at_once_leave_one_working_letter_each(songshan, registrar):
    pupils = [
        student(school=songshan),
        student(school=songshan, number="108036", name="林堃峯", id_number="A100000001"),
    ]
    path = reverse("review_workflow_binding_letters", args=(songshan.pk, 2, 1))
    clients = [Client(), Client()]
    for client in clients:
        admin_login(client, registrar)

    answers = at_once(*(partial(client.post, path, {"students": "all"}) for client in clients))

    assert [answer["Content-Type"] for answer in answers] == ["application/pdf"] * 2
    letters = BindingLetter.objects.all()
    assert letters.count() == 4
    for pupil in pupils:
        states = sorted(letter.state for letter in letters if letter.student_id == pupil.pk)
        assert states == ["open", "voided"]
    printed = SchoolLogEntry.objects.filter(action="binding_forms.letter_printed")
    assert sorted(entry.data["voided"] for entry in printed) == [0, 0, 1, 1]
