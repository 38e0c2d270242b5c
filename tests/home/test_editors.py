import datetime

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from wagtail.models import GroupPagePermission
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from home.models import BulletinPage
from tests.factories import PDF_BYTES, DocumentFactory, admin_login, bulletin, editor_user

EDITOR_PAGE_PERMISSIONS = {"add_page", "change_page", "publish_page", "lock_page", "unlock_page"}
# The wording of the notification mail (review_workflow.MailTemplate).
MAIL_TEMPLATE_PERMISSIONS = {
    "review_workflow.add_mailtemplate",
    "review_workflow.change_mailtemplate",
    "review_workflow.view_mailtemplate",
}
EDITOR_MODEL_PERMISSIONS = {
    "wagtailadmin.access_admin",
    "wagtaildocs.add_document",
    "wagtaildocs.change_document",
    "wagtaildocs.choose_document",
    "wagtaildocs.delete_document",
    "wagtailimages.add_image",
    "wagtailimages.change_image",
    "wagtailimages.choose_image",
    "wagtailimages.delete_image",
    # Translate (wagtail.contrib.simple_translation): the English version of their pages.
    "simple_translation.submit_translation",
    # The services list on the parents' home (我的孩子), theirs to keep, in both languages.
    "home.add_portalservice",
    "home.change_portalservice",
    "home.delete_portalservice",
    "home.view_portalservice",
    *MAIL_TEMPLATE_PERMISSIONS,
}


@pytest.mark.django_db
def test_editors_group_has_exactly_the_content_permissions():
    editors = Group.objects.get(name="Editors")

    model_permissions = {
        f"{p.content_type.app_label}.{p.codename}" for p in editors.permissions.all()
    }
    page_permissions = {
        p.permission.codename for p in GroupPagePermission.objects.filter(group=editors)
    }

    assert model_permissions == EDITOR_MODEL_PERMISSIONS
    assert page_permissions == EDITOR_PAGE_PERMISSIONS
    # Nothing over applications, accounts or registry data: only the mail templates' wording.
    assert not any(
        p.startswith(("binding_forms.", "review_workflow."))
        for p in model_permissions - MAIL_TEMPLATE_PERMISSIONS
    )


@pytest.mark.django_db
def test_editor_publishes_a_bulletin_with_a_pdf_in_the_admin(client, home_page):
    editor = editor_user(username="editor")
    admin_login(client, editor)
    document = DocumentFactory(title="第八則講義")
    url = reverse("wagtailadmin_pages:add", args=("home", "bulletinpage", home_page.pk))

    form = client.get(url)
    response = client.post(
        url,
        nested_form_data(
            {
                "title": "臺北市第2代校務行政系統-人事室8月教育訓練研習講義",
                "slug": "personnel-training-handout",
                "date": "2020-08-20",
                "body": rich_text("<p>請下載講義。</p>"),
                "attachments": inline_formset([{"document": document.pk, "label": ""}]),
                "action-publish": "publish",
            }
        ),
    )

    assert form.status_code == 200
    assert response.status_code == 302, response.context["form"].errors
    page = BulletinPage.objects.get(slug="personnel-training-handout")
    assert page.live and page.date == datetime.date(2020, 8, 20)
    assert page.attachments.get().document == document
    home = client.get("/").content.decode()
    assert "109/08/20" in home and "人事室8月教育訓練研習講義" in home


@pytest.mark.django_db
def test_editor_uploads_a_pdf_handout(client):
    admin_login(client, editor_user())
    response = client.post(
        reverse("wagtaildocs:add"),
        {
            "title": "設備組講義",
            "file": SimpleUploadedFile("handout.pdf", PDF_BYTES, "application/pdf"),
            "collection": 1,
        },
    )

    assert response.status_code == 302


@pytest.mark.django_db
def test_editor_edits_an_existing_bulletin(client):
    page = bulletin(title="舊標題", date=datetime.date(2020, 8, 5))
    admin_login(client, editor_user())

    response = client.get(reverse("wagtailadmin_pages:edit", args=(page.pk,)))

    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url_name",
    [
        "wagtailusers_users:index",
        "wagtailusers_groups:index",
        "wagtailsites:index",
        "wagtailadmin_workflows:index",
        "wagtailredirects:index",
    ],
)
def test_editor_cannot_reach_people_or_site_configuration(client, url_name):
    admin_login(client, editor_user())

    response = client.get(reverse(url_name))

    # Wagtail answers a permission failure by sending the user back to the dashboard.
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert response["Location"] == reverse("wagtailadmin_home")


@pytest.mark.django_db
def test_admin_speaks_zh_hant_by_default(client):
    admin_login(client, editor_user())

    html = client.get(reverse("wagtailadmin_home")).content.decode()

    assert 'lang="zh-hant"' in html.lower()
    assert "<title>控制面板" in html


SCRIPT = "<script>alert(1)</script>"


@pytest.mark.django_db
def test_what_editors_write_on_bulletins_is_shown_as_text_or_whitelisted_html(client, home_page):
    """Titles, labels and document titles are text; the body is rich text, which keeps only the
    elements Wagtail's editor allows (no script, no event attributes)."""
    admin_login(client, editor_user())
    document = DocumentFactory(title=f"講義{SCRIPT}")
    url = reverse("wagtailadmin_pages:add", args=("home", "bulletinpage", home_page.pk))

    response = client.post(
        url,
        nested_form_data(
            {
                "title": f"公告{SCRIPT}",
                "slug": "escaped",
                "date": "2020-08-20",
                "body": rich_text(
                    f"<p>內文</p>{SCRIPT}<p><a href='javascript:alert(1)'>連結</a></p>"
                ),
                "attachments": inline_formset([{"document": document.pk, "label": ""}]),
                "action-publish": "publish",
            }
        ),
    )

    assert response.status_code == 302
    page = BulletinPage.objects.get(slug="escaped")
    for html in (client.get("/").content.decode(), client.get(page.url).content.decode()):
        assert "<script>" not in html and "javascript:" not in html
        assert "公告&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "講義&lt;script&gt;" in client.get(page.url).content.decode()


@pytest.mark.django_db
def test_raw_html_posted_to_a_rich_text_field_is_a_field_error(client, home_page):
    """The editor posts Draftail's JSON; anything else (a crafted post, a script) is refused
    beside the field, never a server error."""
    admin_login(client, editor_user())
    url = reverse("wagtailadmin_pages:add", args=("home", "bulletinpage", home_page.pk))

    for body in (f"<p>內文</p>{SCRIPT}", '{"blocks": 1}', "[1, 2]"):
        response = client.post(
            url,
            nested_form_data(
                {
                    "title": "公告",
                    "slug": "raw-html",
                    "date": "2020-08-20",
                    "body": body,
                    "attachments": inline_formset([]),
                    "action-publish": "publish",
                }
            ),
        )

        assert response.status_code == 200, body
        assert response.context["form"].errors["body"], body
    assert not BulletinPage.objects.filter(slug="raw-html").exists()


@pytest.mark.django_db
def test_editor_adds_a_service_and_its_english_version_in_the_admin(client):
    """The services list is the editors' (issue 12): they add one in the admin and Translate
    it, and the English copy is what an English-speaking parent's home lists."""
    from wagtail.models import Locale

    from home.models import PortalService

    english = Locale.objects.create(language_code="en")
    admin_login(client, editor_user())

    added = client.post(
        reverse("wagtailsnippets_home_portalservice:add"),
        {
            "name": "臺北酷課雲",
            "description": "線上學習",
            "link": "https://cooc.tp.edu.tw/",
            "locale": Locale.get_default().pk,
        },
    )
    assert added.status_code == 302, added.context["form"].errors
    service = PortalService.objects.get(name="臺北酷課雲")

    submit = reverse(
        "simple_translation:submit_snippet_translation",
        args=("home", "portalservice", service.pk),
    )
    assert client.post(submit, {"locales": [english.pk]}).status_code == 302
    copy = PortalService.objects.get(translation_key=service.translation_key, locale=english)
    changed = client.post(
        reverse("wagtailsnippets_home_portalservice:edit", args=(copy.pk,)),
        {"name": "Taipei CooC Cloud", "description": "Learning online", "link": copy.link},
    )
    assert changed.status_code == 302, changed.context["form"].errors
    copy.refresh_from_db()
    assert copy.name == "Taipei CooC Cloud" and copy.locale == english
