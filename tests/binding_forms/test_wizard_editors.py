"""Editors change the wizard's wording, consent notice and choices in the Wagtail admin."""

import pytest
from django.test import Client
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from binding_forms.models import Application, BindingWizardPage
from tests.factories import admin_login, editor_user

NEW_NOTICE = "<p>新版告知事項：本局依個人資料保護法第八條告知您以下事項。</p>"


def url(wizard, step):
    return wizard.url + f"{step}/"


def edit_data(page, *, notice=None, extra_type=None, action="action-publish"):
    types = [
        {"id": item.pk, "label": item.label, "applicant_count": item.applicant_count}
        for item in page.application_types.all()
    ]
    if extra_type:
        types.append({"label": extra_type, "applicant_count": 1})
    return nested_form_data(
        {
            "title": page.title,
            "slug": page.slug,
            "level": "",
            "greeting_text": page.greeting_text,
            "student_text": page.student_text,
            "wrong_data_text": page.wrong_data_text,
            "consent_intro": page.consent_intro,
            "consent_notice": rich_text(notice or page.consent_notice),
            "consent_agree_label": page.consent_agree_label,
            "consent_refuse_label": page.consent_refuse_label,
            "refusal_text": rich_text(page.refusal_text),
            "applicants_text": page.applicants_text,
            "application_types": inline_formset(types, initial=page.application_types.count()),
            "relationships": inline_formset(
                [{"id": r.pk, "label": r.label} for r in page.relationships.all()],
                initial=page.relationships.count(),
            ),
            "success_text": page.success_text,
            action: "1",
        }
    )


@pytest.mark.django_db
def test_editor_changes_the_consent_notice_and_the_application_types(
    parent_client,
    wizard,
    xiaohua,
):
    client = Client()  # the editor's own browser
    admin_login(client, editor_user())
    edit_url = reverse("wagtailadmin_pages:edit", args=(wizard.pk,))

    response = client.post(
        edit_url, edit_data(wizard, notice=NEW_NOTICE, extra_type="監護人一位申請帳號")
    )

    assert response.status_code == 302, response.context["form"].errors
    wizard = BindingWizardPage.objects.get()
    parent_client.post(url(wizard, "student"), {"action": "confirm"})
    consent_response = parent_client.get(url(wizard, "consent"))
    consent = consent_response.content.decode()
    assert consent_response.status_code == 200, consent_response.get("Location")
    assert "新版告知事項" in consent
    parent_client.post(url(wizard, "consent"), {"choice": "agreed"})
    assert "監護人一位申請帳號" in parent_client.get(url(wizard, "applicants")).content.decode()
    # The application records the published revision its parent agreed to.
    application = Application.objects.get()
    assert application.consent_revision == wizard.live_revision
    assert "新版告知事項" in application.consent_revision.content["consent_notice"]


@pytest.mark.django_db
def test_a_draft_of_the_notice_is_not_what_parents_agree_to(
    parent_client,
    wizard,
    xiaohua,
):
    client = Client()
    admin_login(client, editor_user())
    client.post(
        reverse("wagtailadmin_pages:edit", args=(wizard.pk,)),
        edit_data(wizard, notice="<p>草稿中的告知事項</p>", action="action-save"),
    )

    parent_client.post(url(wizard, "student"), {"action": "confirm"})

    assert "草稿中的告知事項" not in parent_client.get(url(wizard, "consent")).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("student", "✓ 資訊正確"),
        ("consent", "本人同意提供本同意書所需個資"),
        ("applicants", "雙親為監護人，二位申請帳號"),
        ("done", "設定親子帳號成功!"),
    ],
)
def test_editors_preview_each_step(client, wizard, mode, expected):
    admin_login(client, editor_user())
    preview_url = reverse("wagtailadmin_pages:preview_on_edit", args=(wizard.pk,))

    posted = client.post(preview_url, edit_data(wizard))
    shown = client.get(preview_url, {"mode": mode})

    assert posted.json()["is_valid"]
    assert shown.status_code == 200
    html = shown.content.decode()
    assert expected in html and "陳小花家長，您好！" in html


@pytest.mark.django_db
def test_the_preview_menu_offers_the_four_steps_a_parent_sees(wizard):
    # Not the child step, the email codes or the refusal: nothing to show out of context.
    assert [name for name, _label in wizard.preview_modes] == [
        "student",
        "consent",
        "applicants",
        "done",
    ]
    assert wizard.default_preview_mode == "student"
