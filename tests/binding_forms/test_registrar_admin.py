import pytest
from django.urls import reverse

from review_workflow.models import SchoolLogEntry
from tests.factories import admin_login, student

OUR_ID = "A234567893"


@pytest.mark.django_db
def test_registrar_lists_only_their_own_schools_students(client, registrar, songshan, yingqiao):
    student(school=songshan, name="陳小花")
    student(school=yingqiao, name="林大明", id_number="F131104093")
    admin_login(client, registrar)

    html = client.get(reverse("student:index")).content.decode()

    assert "陳小花" in html
    assert "林大明" not in html
    assert OUR_ID not in html


@pytest.mark.django_db
def test_registrar_cannot_see_or_reset_another_schools_student(client, registrar, yingqiao):
    other = student(school=yingqiao, name="林大明", id_number="F131104093")
    admin_login(client, registrar)

    assert client.get(reverse("student:inspect", args=(other.pk,))).status_code == 404
    assert client.get(reverse("student:reset_password", args=(other.pk,))).status_code == 404
    assert client.post(reverse("student:reset_password", args=(other.pk,))).status_code == 404
    other.user = None
    other.refresh_from_db()
    assert not SchoolLogEntry.objects.filter(action="binding_forms.reset_password").exists()


@pytest.mark.django_db
def test_nobody_edits_or_deletes_students_in_the_portal(client, registrar, songshan, admin_user):
    pupil = student(school=songshan)
    for user in (registrar, admin_user):
        admin_login(client, user)
        assert client.get(reverse("student:edit", args=(pupil.pk,))).status_code in (302, 403)
        assert client.get(reverse("student:delete", args=(pupil.pk,))).status_code in (302, 403)
        assert client.get(reverse("student:add")).status_code in (302, 403)


@pytest.mark.django_db
def test_registrar_resets_a_student_account_to_the_first_password(client, registrar, songshan):
    pupil = student(school=songshan)
    from django.contrib.auth import get_user_model

    account = get_user_model().objects.create_user("313601-P108035", password="Chosen-by-parent-1")
    pupil.user = account
    pupil.save()
    admin_login(client, registrar)
    url = reverse("student:reset_password", args=(pupil.pk,))

    confirm = client.get(url)
    done = client.post(url)

    assert confirm.status_code == 200 and "P108035" in confirm.content.decode()
    assert done.status_code == 302
    account.refresh_from_db()
    assert not account.has_usable_password()
    assert account.password_change_required
    entry = SchoolLogEntry.objects.get(action="binding_forms.reset_password")
    assert entry.user_id == registrar.pk and entry.object_id == str(pupil.pk)

    # The parent signs in with the child's ID number again, then must change it.
    from binding_forms.accounts.backends import StudentFirstPasswordBackend

    assert (
        StudentFirstPasswordBackend().authenticate(None, username="313601-P108035", password=OUR_ID)
        == account
    )


@pytest.mark.django_db
def test_editors_cannot_reach_the_registry(client):
    from tests.factories import editor_user

    admin_login(client, editor_user())

    response = client.get(reverse("student:index"))

    assert response.status_code in (302, 403)


ROSTER_HEADER = "學校代碼,學號,姓名,年級,班級,身分證統一編號\n"


def roster_file(text: str, *, tail: bytes = b""):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = (ROSTER_HEADER + text).encode() + tail
    return SimpleUploadedFile("roster.csv", data, "text/csv")


@pytest.mark.django_db
def test_registrar_uploads_their_schools_roster_in_the_admin(client, registrar, songshan, yingqiao):
    from binding_forms.models import Student

    admin_login(client, registrar)
    url = reverse("student:import_roster")

    form = client.get(url)
    response = client.post(
        url,
        {
            "school": songshan.pk,
            "file": roster_file(
                "313601,108035,陳小花,2,1,A234567893\n"
                "353601,200001,林大明,1,1,F131104093\n"
                "313601,108036,王峯,2,1,A11874520X\n",
            ),
        },
    )

    assert form.status_code == 200 and yingqiao.name not in form.content.decode()
    html = response.content.decode()
    assert response.status_code == 200
    assert "新增 1 筆" in html
    assert "學校代碼 353601 不是本校" in html and ">3<" in html and ">4<" in html
    assert list(Student.objects.values_list("school__moe_code", "student_number")) == [
        ("313601", "108035")
    ]
    assert OUR_ID not in html and "A11874520X" not in html


@pytest.mark.django_db
def test_registrar_cannot_import_into_another_school(client, registrar, yingqiao):
    from binding_forms.models import Student

    admin_login(client, registrar)

    response = client.post(
        reverse("student:import_roster"),
        {"school": yingqiao.pk, "file": roster_file("353601,200001,林大明,1,1,F131104093\n")},
    )

    assert response.status_code == 200
    assert (
        'id="id_school-error"' in response.content.decode() or "有效" in response.content.decode()
    )
    assert not Student.objects.exists()


@pytest.mark.django_db
def test_an_unreadable_roster_is_refused_beside_the_field(client, registrar, songshan):
    admin_login(client, registrar)

    response = client.post(
        reverse("student:import_roster"),
        # Neither UTF-8 nor Big5: the whole file is refused, nothing written.
        {"school": songshan.pk, "file": roster_file("", tail=b"313601,\xff\xff\xff\n")},
    )

    assert response.status_code == 200
    assert "未匯入任何資料" in response.content.decode()
