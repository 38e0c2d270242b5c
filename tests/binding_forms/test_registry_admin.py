"""The city registry (wagtail-modeladmin): administrators list, search, filter and edit schools;
a registrar does not reach it."""

import pytest
from django.urls import reverse

from tests.factories import admin_login, registrar_user

INDEX = "binding_forms_school_modeladmin_index"
EDIT = "binding_forms_school_modeladmin_edit"


@pytest.mark.django_db
def test_an_administrator_lists_searches_and_filters_schools(
    client, admin_user, songshan, yingqiao
):
    admin_login(client, admin_user)
    url = reverse(INDEX)

    everything = client.get(url).content.decode()
    searched = client.get(url, {"q": "353601"}).content.decode()
    filtered = client.get(url, {"district": songshan.district_id}).content.decode()
    by_level = client.get(url, {"level__exact": "junior_high"}).content.decode()
    crafted = client.get(url, {"district": "1 OR 1=1"})

    assert songshan.name in everything and yingqiao.name in everything
    assert yingqiao.name in searched and songshan.name not in searched
    assert songshan.name in filtered and yingqiao.name not in filtered
    assert songshan.name not in by_level and yingqiao.name not in by_level
    assert crafted.status_code == 200


@pytest.mark.django_db
def test_an_administrator_edits_a_schools_names_code_and_office_staff(
    client, admin_user, songshan, yingqiao
):
    newcomer = registrar_user(of_school=yingqiao, username="newcomer")
    admin_login(client, admin_user)
    url = reverse(EDIT, args=(songshan.pk,))

    form = client.get(url).content.decode()
    response = client.post(
        url,
        {
            "name": "臺北市松山區松山國民小學",
            "short_name": "松山國小",
            "moe_code": "313602",
            "district": songshan.district_id,
            "level": songshan.level,
            "address": "",
            "registration_office_contact": "分機 123",
            "staff-TOTAL_FORMS": "1",
            "staff-INITIAL_FORMS": "0",
            "staff-MIN_NUM_FORMS": "0",
            "staff-MAX_NUM_FORMS": "1000",
            "staff-0-user": newcomer.pk,
            "staff-0-office": "student_affairs",
            "staff-0-id": "",
        },
    )

    assert "newcomer" in form
    assert response.status_code == 302
    songshan.refresh_from_db()
    assert (songshan.name, songshan.short_name, songshan.moe_code) == (
        "臺北市松山區松山國民小學",
        "松山國小",
        "313602",
    )
    assert [(row.user, row.office) for row in songshan.staff.all()] == [
        (newcomer, "student_affairs")
    ]


@pytest.mark.django_db
def test_only_staff_accounts_can_be_made_office_staff(client, admin_user, songshan):
    from tests.factories import UserFactory

    UserFactory(username="parent@example.com", is_staff=False)
    admin_login(client, admin_user)

    form = client.get(reverse(EDIT, args=(songshan.pk,))).content.decode()

    assert "parent@example.com" not in form


@pytest.mark.django_db
def test_a_registrar_cannot_reach_the_city_registry(client, registrar, songshan):
    admin_login(client, registrar)

    index = client.get(reverse(INDEX))
    edit = client.post(reverse(EDIT, args=(songshan.pk,)), {"name": "改名"})
    home = client.get(reverse("wagtailadmin_home")).content.decode()

    assert index.status_code in (302, 403)
    assert edit.status_code in (302, 403)
    songshan.refresh_from_db()
    assert songshan.name == "臺北市立松山國民小學"
    assert reverse(INDEX) not in home
