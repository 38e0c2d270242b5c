"""The school-scope rule (binding_forms.registry.scope): one function decides which schools'
data a user may see and act on."""

import pytest
from django.contrib.auth.models import AnonymousUser

from binding_forms.models import School, StaffAssignment
from binding_forms.registry.scope import (
    school_ids_served_by,
    schools_served_by,
    served_q,
    serves_every_school,
    serves_school,
)
from binding_forms.registry.services import staff_assign
from tests.factories import UserFactory, registrar_user


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


@pytest.mark.django_db
def test_each_office_serves_its_schools_in_that_office_only(songshan, yingqiao):
    staff = registrar_user(of_school=songshan, office="student_affairs", username="sa")
    staff_assign(user=staff, school=yingqiao, office="registration")

    assert school_ids_served_by(staff, "student_affairs") == {songshan.pk}
    assert school_ids_served_by(staff) == {yingqiao.pk}  # the registration office by default
    assert not serves_school(staff, songshan.pk)
    assert serves_school(staff, songshan.pk, "student_affairs")
    assert school_ids_served_by(staff, "counseling") == frozenset()


@pytest.mark.django_db
def test_rows_handled_by_their_own_office_are_filtered_by_it(songshan, yingqiao):
    """With an office path, each row is seen by the staff of its school in its own office."""
    staff = registrar_user(of_school=songshan, office="student_affairs", username="sa")
    staff_assign(user=staff, school=yingqiao, office="registration")
    rows = StaffAssignment.objects.exclude(user=staff)  # stand-ins: a school and an office each
    other = UserFactory(is_staff=True, username="other")
    for school, office in [
        (songshan, "student_affairs"),  # seen: songshan in student affairs
        (songshan, "registration"),  # not: songshan in registration
        (yingqiao, "registration"),  # seen: yingqiao in registration
        (yingqiao, "student_affairs"),  # not
    ]:
        staff_assign(user=other, school=school, office=office)

    seen = rows.filter(served_q(staff, school_path="school", office_path="office"))

    assert sorted((row.school.moe_code, row.office) for row in seen) == [
        ("313601", "student_affairs"),
        ("353601", "registration"),
    ]
    assert not rows.filter(served_q(AnonymousUser(), school_path="school", office_path="office"))
