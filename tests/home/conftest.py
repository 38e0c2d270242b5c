"""A father bound to 陳小花 at 松山國小, as an approval leaves him (password changed)."""

import pytest

from binding_forms.identity.personal_data import id_number_digest
from review_workflow.models import ParentAccount, ParentStudentLink
from tests.factories import FATHER, UserFactory, student

HOME = "/me/"
PASSWORD = "Hua-papa-2026!"  # noqa: S105


@pytest.fixture
def xiaohua(songshan):
    return student(school=songshan)


@pytest.fixture
def parent(xiaohua):
    """陳大名, bound to 陳小花 (his account as an approval leaves it, password changed)."""
    user = UserFactory(
        username="alle@schoolsoft.com.tw", email="alle@schoolsoft.com.tw", first_name="陳大名"
    )
    user.set_password(PASSWORD)
    user.save()
    ParentAccount.objects.create(user=user, id_number_digest=id_number_digest(FATHER["id_number"]))
    ParentStudentLink.objects.create(parent=user, student=xiaohua, relationship="父女")
    return user


@pytest.fixture
def parent_client(client, parent):
    client.force_login(parent)
    return client
