"""Fixtures of the binding wizard's tests, and the property tests' hypothesis profiles."""

import os

import pytest
from django.contrib.auth import get_user_model
from hypothesis import HealthCheck, settings

from binding_forms.accounts.sign_in_name import student_username
from binding_forms.binding.services import wizard_page_create
from binding_forms.models import Application
from tests.factories import school, student


@pytest.fixture
def wizard(home_page):
    page = wizard_page_create(parent=home_page)
    page.verify_email = False
    page.save_revision().publish()
    return page


@pytest.fixture
def workflow(db):
    """The review a migration assigns to applications: one SchoolOfficeTask."""
    return Application().get_workflow()


@pytest.fixture
def xiaohua(db):
    return student(school=school())


@pytest.fixture
def parent_client(client, xiaohua):
    """Signed in with the student account, its password already changed."""
    user = get_user_model().objects.create_user(student_username("313601", "P108035"))
    xiaohua.user = user
    xiaohua.save()
    client.force_login(user)
    return client


# Hypothesis (tests/binding_forms/test_properties.py): few examples, no deadline (two cores shared
# with a database), and the database's fixtures kept across a test's examples — each example rolls
# its own writes back. HYPOTHESIS_PROFILE=thorough for a longer local run.
settings.register_profile(
    "ci",
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.register_profile(
    "thorough",
    settings.get_profile("ci"),
    max_examples=500,
    derandomize=False,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
