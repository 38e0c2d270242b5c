"""What editors see of a school form: each screen in the admin's preview, and the fields they
define grouped into screens by their step title."""

import pytest
from django.test import RequestFactory

from binding_forms.reviewed_forms.builder import field_groups
from tests.factories import editor_user


@pytest.mark.django_db
def test_every_screen_can_be_previewed(leave_form):
    request = RequestFactory().get("/")
    request.user = editor_user(username="editor")

    for mode, _title in leave_form.preview_modes:
        response = leave_form.make_preview_request(request, mode)
        assert response.status_code == 200, mode
        response.render()
        assert "線上請假" in response.content.decode(), mode

    part1 = leave_form.make_preview_request(request, "part1")
    assert "請假日期（起）" in part1.render().content.decode()


@pytest.mark.django_db
def test_fields_are_grouped_into_screens_by_their_step_title(leave_form):
    groups = field_groups(leave_form.form_fields.all())

    assert [(title, [field.label for field in fields]) for title, fields in groups] == [
        ("請假資料", ["請假日期（起）", "請假日期（迄）", "假別", "節次"]),
        ("事由與證明", ["事由", "證明文件"]),
    ]
