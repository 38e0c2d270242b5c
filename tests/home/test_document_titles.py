"""A document's title is asked for, not made from its file name (issue 13): Wagtail's "Add a
document" (the multiple upload, which saves each file at once titled by its name) leads to the
one-document form, and the bulletin editor's document chooser uploads only with a typed title.
The browser side (no title suggested from the file name) is tests/browser/test_admin_axe.py."""

import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from wagtail.documents import get_document_model

from tests.factories import PDF_BYTES, admin_login, editor_user

Document = get_document_model()


def handout(name="handout-2.pdf"):
    return SimpleUploadedFile(name, PDF_BYTES, "application/pdf")


@pytest.fixture
def editor(client, db):
    admin_login(client, editor_user())
    return client


def title_input(html: str) -> str:
    match = re.search(r"<input[^>]*\bname=\"(?:document-chooser-upload-)?title\"[^>]*>", html)
    assert match, "no title box"
    return match.group(0)


def test_add_a_document_opens_the_form_that_asks_for_the_title(editor):
    index = editor.get(reverse("wagtaildocs:index")).content.decode()
    add_multiple = reverse("wagtaildocs:add_multiple")
    assert f'href="{add_multiple}' in index  # Wagtail's own "Add a document" button

    response = editor.get(add_multiple + "?collection_id=1", follow=True)

    assert response.redirect_chain == [(reverse("wagtaildocs:add") + "?collection_id=1", 302)]
    box = title_input(response.content.decode())
    assert "required" in box and "value=" not in box  # empty, to be typed


def test_a_multiple_upload_post_saves_no_document_titled_by_its_file_name(editor):
    response = editor.post(reverse("wagtaildocs:add_multiple"), {"files[]": handout()})

    assert response.status_code == 302
    assert response["Location"] == reverse("wagtaildocs:add")
    assert not Document.objects.exists()


def test_the_upload_form_refuses_a_document_without_a_title(editor):
    response = editor.post(
        reverse("wagtaildocs:add"), {"title": "", "file": handout(), "collection": 1}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["title"] == ["必要欄位"]
    assert not Document.objects.exists()

    response = editor.post(
        reverse("wagtaildocs:add"), {"title": "設備組8月教育訓練講義", "file": handout()}
    )
    assert response.status_code == 302
    assert Document.objects.get().title == "設備組8月教育訓練講義"


def test_the_choosers_upload_tab_asks_for_the_title(editor):
    chooser = editor.get(reverse("wagtaildocs_chooser:choose"))
    html = json.loads(chooser.content)["html"]
    box = title_input(html)
    assert "required" in box and "value=" not in box

    create = reverse("wagtaildocs_chooser:create")
    refused = editor.post(create, {"document-chooser-upload-file": handout()})
    assert json.loads(refused.content)["step"] == "reshow_creation_form"
    assert not Document.objects.exists()

    chosen = editor.post(
        create,
        {
            "document-chooser-upload-title": "註冊組新生報到須知",
            "document-chooser-upload-file": handout(),
        },
    )
    assert json.loads(chosen.content)["step"] == "chosen"
    assert Document.objects.get().title == "註冊組新生報到須知"


def test_the_redirect_is_behind_the_admins_sign_in(client, db):
    response = client.get(reverse("wagtaildocs:add_multiple"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("wagtailadmin_login"))
