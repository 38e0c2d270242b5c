"""Printing a class's binding letters from the registrar's binding-progress panel: the panel's
link, the print page, the PDF of the whole class or its unbound students, reprints, the audit
trail, and another school's registrar kept out by the scope rule."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from pypdf import PdfReader
from wagtail.models import BaseLogEntry

from binding_forms.models import BindingLetter
from review_workflow.models import SchoolLogEntry
from tests.factories import admin_login, editor_user, student
from tests.review_workflow.test_registrar_screens import parent_with_link

pytestmark = pytest.mark.django_db


@pytest.fixture
def class_2_01(songshan):
    """2年01班: 陳小花 bound to her father, two classmates not bound; one pupil who left."""
    xiaohua = student(school=songshan)
    parent_with_link(to=xiaohua)
    return [
        xiaohua,
        student(school=songshan, number="108036", name="林堃峯", id_number="A100000001"),
        student(school=songshan, number="108037", name="王大同", id_number="A100000010"),
        student(
            school=songshan, number="108038", name="離校生", id_number="A100000028", enrolled=False
        ),
    ]


def print_url(school, grade=2, class_number=1):
    return reverse("review_workflow_binding_letters", args=(school.pk, grade, class_number))


def names_printed(response) -> list[str]:
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]
    texts = [page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages]
    return [
        next(name for name in ("陳小花", "林堃峯", "王大同", "離校生") if name in text)
        for text in texts
    ]


def test_the_panel_links_each_class_to_its_letters(client, registrar, songshan, class_2_01):
    admin_login(client, registrar)

    html = client.get(reverse("wagtailadmin_home")).content.decode()

    assert f'href="{print_url(songshan)}"' in html
    assert "列印通知單" in html


def test_the_print_page_says_what_printing_does(client, registrar, songshan, class_2_01):
    admin_login(client, registrar)

    response = client.get(print_url(songshan))

    assert response.status_code == 200
    html = response.content.decode()
    assert "臺北市立松山國民小學 2年01班" in html
    assert "在籍學生 3 人，其中 2 人尚未綁定家長" in html
    assert "有效 14 天" in html
    assert "尚未綁定家長的學生" in html and "全班" in html


def test_printing_the_unbound_students_only(client, registrar, songshan, class_2_01):
    admin_login(client, registrar)

    response = client.post(print_url(songshan), {"students": "unbound"})

    assert names_printed(response) == ["林堃峯", "王大同"]
    assert BindingLetter.objects.filter(printed_by=registrar).count() == 2


def test_printing_the_whole_class_and_reprinting_voids_the_older_letters(
    client, registrar, songshan, class_2_01
):
    admin_login(client, registrar)
    first = client.post(print_url(songshan), {"students": "all"})
    assert names_printed(first) == ["陳小花", "林堃峯", "王大同"]

    second = client.post(print_url(songshan), {"students": "unbound"})

    assert names_printed(second) == ["林堃峯", "王大同"]
    states = [letter.state for letter in BindingLetter.objects.order_by("pk")]
    assert states == ["open", "voided", "voided", "open", "open"]
    page = client.get(print_url(songshan)).content.decode()
    assert "本班已列印的通知單" in page
    assert "先前列印的通知單有 3 張仍可使用" in page


def test_who_printed_which_letters_is_in_the_schools_history(
    client, registrar, other_registrar, songshan, class_2_01
):
    admin_login(client, registrar)
    client.post(print_url(songshan), {"students": "unbound"})

    entries = SchoolLogEntry.objects.filter(action="binding_forms.letter_printed")
    assert {(entry.user_id, entry.school_id) for entry in entries} == {(registrar.pk, songshan.pk)}
    assert sorted(int(entry.object_id) for entry in entries) == sorted(
        letter.student_id for letter in BindingLetter.objects.all()
    )
    assert {entry.data["letter"] for entry in entries} == set(
        BindingLetter.objects.values_list("pk", flat=True)
    )
    history = client.get(reverse("wagtailadmin_reports:site_history")).content.decode()
    assert "列印綁定通知單" in history
    assert not SchoolLogEntry.objects.viewable_by_user(other_registrar).exists()
    assert isinstance(entries.first(), BaseLogEntry)


def test_bad_choices_answer_beside_the_field(client, registrar, songshan, class_2_01):
    admin_login(client, registrar)
    parent_with_link(to=class_2_01[1], username="mum", id_number="A228704139")
    parent_with_link(to=class_2_01[2], username="dad2", id_number="F131104093")

    nothing = client.post(print_url(songshan), {"students": "unbound"})
    odd = client.post(print_url(songshan), {"students": "<script>"})
    missing = client.post(print_url(songshan), {})

    assert "這一班的學生都已綁定家長" in nothing.content.decode()
    for response in (nothing, odd, missing):
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/html")
    assert "請選擇要列印哪些學生的通知單" in missing.content.decode()
    assert not BindingLetter.objects.exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_another_schools_registrar_and_an_editor_get_404(
    client, other_registrar, songshan, class_2_01, method
):
    for outsider in (other_registrar, editor_user()):
        admin_login(client, outsider)
        response = getattr(client, method)(print_url(songshan), {"students": "all"})
        assert response.status_code == 404
    assert not BindingLetter.objects.exists()
    assert not SchoolLogEntry.objects.filter(action="binding_forms.letter_printed").exists()


def test_a_class_with_no_enrolled_student_is_404(client, registrar, songshan, class_2_01):
    admin_login(client, registrar)

    assert client.get(print_url(songshan, grade=6, class_number=9)).status_code == 404


def test_a_superuser_prints_for_any_school(client, songshan, class_2_01):
    root = get_user_model().objects.create_superuser("root", "root@example.com", "x")
    admin_login(client, root)

    response = client.post(print_url(songshan), {"students": "unbound"})

    assert names_printed(response) == ["林堃峯", "王大同"]
