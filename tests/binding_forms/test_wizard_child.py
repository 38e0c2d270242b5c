"""A parent account binds another child: the school picked as on the sign-in page (district
first, with or without JavaScript), the first password said, the children already bound listed."""

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from review_workflow.models import ParentStudentLink
from tests.binding_forms.test_wizard import url
from tests.factories import school, student


@pytest.fixture
def parent(client, xiaohua):
    user = get_user_model().objects.create_user("alle@schoolsoft.com.tw", password="Parent-1")
    ParentStudentLink.objects.create(parent=user, student=xiaohua, relationship="父女")
    client.force_login(user)
    return user


@pytest.fixture
def yingqiao(db):
    return school(moe_code="353601", name="臺北市立螢橋國民小學", district="中正區")


@pytest.mark.django_db
def test_the_child_step_filters_schools_by_district_without_javascript(
    client, parent, wizard, xiaohua, yingqiao
):
    everything = client.get(url(wizard, "child")).content.decode()
    assert "臺北市立松山國民小學（松山區）" in everything and yingqiao.name in everything
    assert "data-district-select" in everything and "顯示該區學校" in everything

    narrowed = client.get(url(wizard, "child"), {"district": yingqiao.district_id})

    html = narrowed.content.decode()
    assert f"{yingqiao.name}（中正區）" in html and "臺北市立松山國民小學（松山區）" not in html
    assert f'<input type="hidden" name="district" value="{yingqiao.district_id}">' in html
    assert "js/signin.js" in html  # the same script filters at once with JavaScript


@pytest.mark.django_db
def test_a_school_of_another_district_is_refused_like_a_wrong_password(
    client, parent, wizard, xiaohua, yingqiao
):
    student(school=yingqiao, number="200001", name="陳小草", id_number="A139205814")

    refused = client.post(
        url(wizard, "child") + f"?district={xiaohua.school.district_id}",
        {"school": yingqiao.pk, "account": "P200001", "password": "A139205814"},
    )

    assert refused.status_code == 200
    assert "帳號或密碼錯誤" in refused.content.decode()
    chosen = client.post(
        url(wizard, "child") + f"?district={yingqiao.district_id}",
        {"school": yingqiao.pk, "account": "P200001", "password": "A139205814"},
    )
    assert chosen["Location"].endswith("/student/")


@pytest.mark.django_db
def test_the_child_step_says_the_first_password_and_lists_the_children_bound(
    client, parent, wizard, xiaohua
):
    other = student(school=xiaohua.school, number="108036", name="陳小明", id_number="A139205814")
    ParentStudentLink.objects.create(
        parent=parent, student=other, relationship="父子", revoked_at=timezone.now()
    )

    html = client.get(url(wizard, "child")).content.decode()

    assert "學生帳號的第一次密碼為該子女的身分證字號" in html
    assert "已綁定到您帳號的子女" in html
    assert "陳小花（臺北市立松山國民小學 2年01班）" in html
    assert "陳小明" not in html  # a revoked link is no longer bound


@pytest.mark.django_db
def test_naming_a_second_child_is_about_no_child_yet(client, parent, wizard, xiaohua):
    client.post(
        url(wizard, "child"),
        {"school": xiaohua.school_id, "account": "P108035", "password": "A234567893"},
    )
    assert "陳小花家長，您好！" in client.get(url(wizard, "student")).content.decode()

    html = client.get(url(wizard, "child")).content.decode()

    # The page's title, not the first child's greeting and progress.
    assert f"<h1>{wizard.title}</h1>" in html and "陳小花家長" not in html
