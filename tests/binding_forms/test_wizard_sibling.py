"""Binding a sibling starts from what the portal knows: a parent account's applicants step offers
the applicants of its first binding, their ID numbers masked (kept, or typed again), never in
clear."""

import re

import pytest
from django.contrib.auth import get_user_model

from binding_forms.identity.personal_data import id_number_digest
from binding_forms.models import Application
from tests.binding_forms.test_wizard import TWO_APPLICANTS, url, walk_to_applicants
from tests.factories import FATHER, MOTHER, student, submitted_application
from tests.pii import tables_holding
from tests.review_workflow.test_approval import decide

SIBLING_ID = "A139205814"


@pytest.fixture
def father_client(client, xiaohua, registrar, workflow):
    """陳大名, whose first binding (陳小花, with 林美𠮷) the school approved."""
    decide(
        submitted_application(student=xiaohua, applicants=(FATHER, MOTHER)), registrar, "approve"
    )
    father = get_user_model().objects.get(username=FATHER["email"])
    father.password_change_required = False
    father.save()
    client.force_login(father)
    return client


@pytest.fixture
def sibling(xiaohua):
    return student(school=xiaohua.school, number="108099", name="陳小草", id_number=SIBLING_ID)


def choose_sibling(client, wizard, sibling):
    client.post(
        url(wizard, "child"),
        {"school": sibling.school_id, "account": "P108099", "password": SIBLING_ID},
    )
    walk_to_applicants(client, wizard)


@pytest.mark.django_db
def test_the_first_bindings_applicants_are_offered_with_their_ids_masked(
    father_client, wizard, sibling
):
    choose_sibling(father_client, wizard, sibling)

    html = father_client.get(url(wizard, "applicants")).content.decode()

    chosen = re.search(
        r'<input type="radio" name="application_type" value="(\d)"[^>]*checked', html
    )
    assert chosen.group(1) == TWO_APPLICANTS
    for value in ("陳大名", "0912123456", FATHER["email"], "林美𠮷", "0987654321", MOTHER["email"]):
        assert f'value="{value}"' in html
    assert '<option value="父女" selected>' in html and '<option value="母女" selected>' in html
    assert "A12****789" in html and "A22****139" in html  # masked, to confirm or type again
    assert FATHER["id_number"] not in html and MOTHER["id_number"] not in html


@pytest.mark.django_db
def test_sent_as_offered_the_sibling_has_the_same_applicants(father_client, wizard, sibling):
    choose_sibling(father_client, wizard, sibling)
    data = {"application_type": TWO_APPLICANTS, "action": "submit"}
    for position, values in ((1, FATHER), (2, MOTHER)):
        for name, value in values.items():
            # The relationship to a son, and the IDs left empty: kept as offered.
            if name == "relationship":
                value = value.replace("女", "子")
            data[f"applicant{position}-{name}"] = "" if name == "id_number" else value

    father_client.post(url(wizard, "applicants"), data)

    application = Application.objects.get(student=sibling)
    assert application.submitted_at is not None
    assert [(a.name, a.relationship) for a in application.applicants.all()] == [
        ("陳大名", "父子"),
        ("林美𠮷", "母子"),
    ]
    assert [a.id_number_digest for a in application.applicants.all()] == [
        id_number_digest(FATHER["id_number"]),
        id_number_digest(MOTHER["id_number"]),
    ]
    assert tables_holding(FATHER["id_number"]) == []


@pytest.mark.django_db
def test_what_the_parent_typed_wins_over_what_was_offered(father_client, wizard, sibling):
    choose_sibling(father_client, wizard, sibling)
    data = {"application_type": "1", "action": "save"}
    for name, value in {**FATHER, "mobile": "0911000222"}.items():
        data[f"applicant1-{name}"] = value
    father_client.post(url(wizard, "applicants"), data)

    html = father_client.get(url(wizard, "applicants")).content.decode()

    assert 'value="0911000222"' in html and "林美𠮷" not in html


@pytest.mark.django_db
def test_a_student_accounts_first_binding_starts_empty(parent_client, wizard, workflow):
    walk_to_applicants(parent_client, wizard)

    html = parent_client.get(url(wizard, "applicants")).content.decode()

    assert "陳大名" not in html and "****" not in html
