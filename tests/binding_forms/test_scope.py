"""The school-scope rule (binding_forms.registry.scope): one function decides which schools'
data a user may see and act on."""

import pytest
from django.contrib.auth.models import AnonymousUser

from binding_forms.models import School
from binding_forms.registry.scope import (
    school_ids_served_by,
    schools_served_by,
    serves_every_school,
    serves_school,
)
from tests.factories import UserFactory


@pytest.mark.django_db
def test_a_registrar_serves_their_own_schools_only(registrar, songshan, yingqiao):
    assert school_ids_served_by(registrar) == {songshan.pk}
    assert serves_school(registrar, songshan.pk)
    assert not serves_school(registrar, yingqiao.pk)
    assert not serves_school(registrar, None)
    assert list(schools_served_by(registrar)) == [songshan]
    assert not serves_every_school(registrar)


@pytest.mark.django_db
def test_a_superuser_serves_every_school(admin_user, songshan, yingqiao):
    assert school_ids_served_by(admin_user) == set(School.objects.values_list("pk", flat=True))
    assert serves_every_school(admin_user) and serves_school(admin_user, None)


@pytest.mark.django_db
def test_nobody_else_serves_a_school(registrar, songshan):
    registrar.is_active = False
    others = [registrar, UserFactory(is_staff=True), AnonymousUser()]

    assert [school_ids_served_by(user) for user in others] == [frozenset()] * 3
    assert not any(serves_school(user, songshan.pk) for user in others)


@pytest.mark.django_db
def test_the_rule_is_read_once_per_user_object(registrar, songshan, django_assert_num_queries):
    with django_assert_num_queries(1):
        school_ids_served_by(registrar)
        school_ids_served_by(registrar)
        serves_school(registrar, songshan.pk)
