"""The registry match never approves an applicant the registry does not know for the child, and
always approves when the registry vouches for every applicant: whatever the registry holds and
whatever the parents type, through the whole review start (hypothesis)."""

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from binding_forms.identity.personal_data import encrypt, id_number_digest
from binding_forms.models import Application, RegistryGuardian
from review_workflow.models import ParentStudentLink
from review_workflow.services.registry_match import registry_match_step_add, relationships_agree
from tests.factories import student, submitted_application

_LETTERS = "ABCDEFGHJKLMNPQRSTUVXYWZIO"


def tw_id(first_nine: str) -> str:
    code = _LETTERS.index(first_nine[0]) + 10
    digits = [code // 10, code % 10, *map(int, first_nine[1:])]
    weights = [1, 9, 8, 7, 6, 5, 4, 3, 2, 1]
    return first_nine + str(-sum(w * d for w, d in zip(weights, digits, strict=True)) % 10)


# A small pool, so that applicants and guardians often share an ID number, and often do not.
IDS = [tw_id(f"A1{n:07d}") for n in (1, 2, 3)] + [tw_id(f"B2{n:07d}") for n in (4, 5)]
GUARDIANS = st.lists(
    st.tuples(
        st.sampled_from(["", *IDS]),
        st.sampled_from(["父", "母", "祖母", "監護人", "", "叔叔"]),
        st.booleans(),
    ),
    max_size=3,
    unique_by=lambda guardian: guardian[0] or object(),  # the registry: one person, one row
)
AGREEING = {"父": "父女", "母": "母子", "祖母": "祖孫", "監護人": "監護人"}
ANY_APPLICANT = st.tuples(st.sampled_from(IDS), st.sampled_from(["父女", "母子", "祖孫", "監護人"]))


@st.composite
def cases(draw):
    """The registry's guardians, and applicants who are often exactly those guardians (so that
    approvals are explored as much as refusals), otherwise anyone."""
    guardians = draw(GUARDIANS)
    vouchable = [
        (known, AGREEING[relationship])
        for known, relationship, _lives in guardians
        if known and relationship in AGREEING
    ]
    applicant = st.one_of(st.sampled_from(vouchable), ANY_APPLICANT) if vouchable else ANY_APPLICANT
    applicants = draw(
        st.lists(applicant, min_size=1, max_size=2, unique_by=lambda a: a[0])  # one ID each
    )
    return guardians, applicants


@pytest.fixture
def match_step(db):
    return registry_match_step_add(workflow=Application().get_workflow())


@settings(
    max_examples=15,  # each runs a whole review start: ~40 queries
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=cases())
def test_approved_exactly_when_the_registry_vouches_for_every_applicant(match_step, songshan, case):
    guardians, applicants = case
    with transaction.atomic():
        pupil = student(school=songshan)
        for index, (id_number, relationship, lives) in enumerate(guardians):
            RegistryGuardian.objects.create(
                student=pupil,
                name=f"監護人{index}",
                relationship=relationship,
                id_number_digest=id_number_digest(id_number) if id_number else "",
                id_number_encrypted=encrypt(id_number) if id_number else "",
                lives_with_student=lives,
            )
        application = submitted_application(
            student=pupil,
            applicants=[
                {
                    "name": f"申請人{position}",
                    "relationship": relationship,
                    "id_number": id_number,
                    "mobile": f"091200000{position}",
                    "email": f"parent{position}@example.com",
                }
                for position, (id_number, relationship) in enumerate(applicants)
            ],
        )
        application.refresh_from_db()

        def vouched(id_number, relationship):
            return any(
                known == id_number and lives and relationships_agree(relationship, registry)
                for known, registry, lives in guardians
            )

        known_ids = {known for known, _relationship, _lives in guardians if known}
        if application.live:
            # Never an applicant the registry does not know for this child.
            assert all(id_number in known_ids for id_number, _ in applicants)
            assert ParentStudentLink.objects.filter(student=pupil).count() == len(applicants)
        else:
            assert not ParentStudentLink.objects.filter(student=pupil).exists()
        expected = all(vouched(*applicant) for applicant in applicants)
        assert application.live == expected
        transaction.set_rollback(True)
