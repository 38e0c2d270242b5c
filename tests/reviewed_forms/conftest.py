"""A 線上請假 form as an editor builds it (fields, steps, its workflow), a parent bound to a child
at 松山國小, and the office reviewers of that school and of another."""

import pytest

from review_workflow.models import ParentStudentLink
from tests.factories import (
    UserFactory,
    office_review_workflow,
    office_reviewer,
    school_form,
    student,
)


@pytest.fixture
def leave_form(home_page):
    return school_form(parent=home_page, workflow=office_review_workflow())


@pytest.fixture
def child(songshan):
    return student(school=songshan)


@pytest.fixture
def parent(child):
    user = UserFactory(username="dad@example.com", first_name="陳大名")
    ParentStudentLink.objects.create(parent=user, student=child, relationship="父女")
    return user


@pytest.fixture
def reviewer(songshan):
    return office_reviewer(of_school=songshan, username="songshan-affairs")


@pytest.fixture
def other_reviewer(yingqiao):
    return office_reviewer(of_school=yingqiao, username="yingqiao-affairs")
