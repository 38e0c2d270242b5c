"""Fixtures: a parent bound to 陳小花 at 松山國小, and a confidential service allowed children."""

import pytest

from review_workflow.models import ParentStudentLink
from tests.factories import student
from tests.single_sign_on.oidc import CHILD_ID, parent_account, service


@pytest.fixture
def child(songshan):
    return student(school=songshan, id_number=CHILD_ID)


@pytest.fixture
def parent(child):
    user = parent_account()
    ParentStudentLink.objects.create(parent=user, student=child, relationship="父女")
    return user


@pytest.fixture
def pay(db):
    return service()
