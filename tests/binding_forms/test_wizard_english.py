"""English is a real second language: an editor translates the wizard with Wagtail's Translate
(wagtail.contrib.simple_translation) in the admin, a parent who chose English reads it at the same
address, and what the application stores stays the source language's (zh-Hant) choices, which
the registry's matching and the registrars compare."""

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from wagtail.actions.copy_for_translation import CopyPageForTranslationAction
from wagtail.models import Locale
from wagtail.test.utils.form_data import nested_form_data, rich_text

from binding_forms.binding import routing
from binding_forms.models import Applicant, Application, BindingWizardPage
from home.models import HomePage
from tests.binding_forms.test_wizard import applicants_post, url, walk_to_applicants
from tests.binding_forms.test_wizard_editors import edit_data
from tests.factories import FATHER, admin_login, editor_user

ENGLISH_TYPES = [
    "Both parents are guardians: two accounts",
    "One account",
    "Birth parents as guardians: two accounts",
    "Another person is the guardian: one account",
]
ENGLISH_RELATIONSHIPS = ["Father–son", "Father–daughter", "Mother–son", "Mother–daughter"]
ENGLISH_RELATIONSHIPS += ["Grandparent", "Guardian"]  # at most 20 characters, as in zh-Hant
GREETING = "The Department of Education binds parent and child accounts here. Please:"
NOTICE = "<p>Notice under Article 8 of the Personal Data Protection Act.</p>"


@pytest.fixture(autouse=True)
def _forget_routes():
    routing.KNOWN.clear()
    yield
    routing.KNOWN.clear()


@pytest.fixture
def english(db):
    return Locale.objects.create(language_code="en")


def in_english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def translate(wizard, locale) -> BindingWizardPage:
    """What an editor does in the admin: 翻譯 (Translate) to English, then write the English
    wording and choices in the copy and publish it."""
    editor = Client()
    admin_login(editor, editor_user(username="translator"))
    # The home page first: Translate offers a language for a page once its parent has it.
    home = wizard.get_parent().specific
    submit = reverse("simple_translation:submit_page_translation", args=(home.pk,))
    assert editor.post(submit, {"locales": [locale.pk]}).status_code == 302
    english_home = HomePage.objects.get(translation_key=home.translation_key, locale=locale)
    publish_home = editor.post(
        reverse("wagtailadmin_pages:edit", args=(english_home.pk,)),
        nested_form_data(
            {
                "title": "Taipei City School Portal",
                "slug": english_home.slug,
                "intro": rich_text("<p>Bulletins and services for parents.</p>"),
                "action-publish": "1",
            }
        ),
    )
    assert publish_home.status_code == 302, publish_home.context["form"].errors

    submit = reverse("simple_translation:submit_page_translation", args=(wizard.pk,))
    assert editor.get(submit).status_code == 200
    response = editor.post(submit, {"locales": [locale.pk]})
    assert response.status_code == 302
    english = BindingWizardPage.objects.get(translation_key=wizard.translation_key, locale=locale)
    assert response["Location"] == reverse("wagtailadmin_pages:edit", args=(english.pk,))
    assert not english.live  # a draft until the editor publishes the English wording

    data = edit_data(english, notice=NOTICE)
    data["title"] = "Parent–child account binding"
    data["greeting_text"] = GREETING
    data["consent_intro"] = "So that parents and schools keep in touch, we suggest an account."
    data["consent_agree_label"] = "I agree to provide the personal data this form needs."
    data["consent_refuse_label"] = "I do not agree to provide the personal data."
    for index, label in enumerate(ENGLISH_TYPES):
        data[f"application_types-{index}-label"] = label
    for index, label in enumerate(ENGLISH_RELATIONSHIPS):
        data[f"relationships-{index}-label"] = label
    edit = editor.post(reverse("wagtailadmin_pages:edit", args=(english.pk,)), data)
    assert edit.status_code == 302, edit.context["form"].formsets["relationships"].errors
    english.refresh_from_db()
    assert english.live and english.url == wizard.url  # the same address, no language prefix
    return english


def translate_directly(wizard, locale) -> BindingWizardPage:
    """What ``translate`` does through the admin, by Wagtail's own action (the admin's views
    are the first test's; the others need only their outcome)."""
    home = wizard.get_parent().specific
    if home.get_translation_or_none(locale) is None:
        CopyPageForTranslationAction(page=home, locale=locale).execute().save_revision().publish()
    english = CopyPageForTranslationAction(page=wizard, locale=locale).execute()
    english.title = "Parent–child account binding"
    english.greeting_text = GREETING
    english.consent_notice = NOTICE
    english.consent_agree_label = "I agree to provide the personal data this form needs."
    for row, label in zip(english.application_types.all(), ENGLISH_TYPES, strict=True):
        row.label = label
        row.save(update_fields=["label"])
    for row, label in zip(english.relationships.all(), ENGLISH_RELATIONSHIPS, strict=True):
        row.label = label
        row.save(update_fields=["label"])
    english.save_revision().publish()
    english.refresh_from_db()
    return english


def option_value(html: str, text: str) -> str:
    """The value the browser sends for the option showing ``text``."""
    match = re.search(rf'<option value="([^"]*)"[^>]*>{re.escape(text)}</option>', html)
    assert match, text
    return match.group(1)


@pytest.mark.django_db
def test_an_english_parent_reads_the_editors_translation_and_the_canonical_choice_is_stored(
    parent_client, wizard, xiaohua, workflow, english
):
    translate(wizard, english)
    client = in_english(parent_client)

    student = client.get(url(wizard, "student")).content.decode()
    assert GREETING in student and "本服務為臺北市政府教育局" not in student
    assert '<html lang="en">' in student and 'lang="zh-Hant-TW"' not in student
    client.post(url(wizard, "student"), {"action": "confirm"})
    consent = client.post(url(wizard, "student"), {"action": "next"}, follow=True)
    html = consent.content.decode()
    assert "Notice under Article 8" in html and "I agree to provide" in html
    assert 'lang="zh-Hant-TW"' not in html

    applicants = client.post(url(wizard, "consent"), {"choice": "agreed"}, follow=True)
    html = applicants.content.decode()
    for label in ENGLISH_TYPES + ENGLISH_RELATIONSHIPS:
        assert label in html, label
    assert "一位申請帳號" not in html and ">父子<" not in html
    father = {**FATHER, "relationship": option_value(html, "Father–son")}
    done = client.post(url(wizard, "applicants"), applicants_post(first=father), follow=True)

    application = Application.objects.get(student=xiaohua)
    # Stored as the source page names them: what matching and the registrars compare.
    assert application.application_type == "一位申請帳號"
    assert Applicant.objects.get(application=application).relationship == "父子"
    assert application.current_workflow_state is not None  # the same review as in zh-Hant
    html = done.content.decode()
    assert "One account" in html and "Father–son" in html  # shown in the parent's language


@pytest.mark.django_db
def test_a_saved_english_draft_comes_back_in_either_language(
    parent_client, wizard, xiaohua, english
):
    translate_directly(wizard, english)
    client = in_english(parent_client)
    walk_to_applicants(client, wizard)
    html = client.get(url(wizard, "applicants")).content.decode()
    father = {**FATHER, "relationship": option_value(html, "Mother–daughter")}
    client.post(url(wizard, "applicants"), applicants_post(first=father, action="save"))

    english_html = client.get(url(wizard, "applicants")).content.decode()
    assert re.search(r'<option value="母女"[^>]* selected>Mother–daughter</option>', english_html)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hant"
    chinese = client.get(url(wizard, "applicants")).content.decode()
    assert re.search(r'<option value="母女"[^>]* selected>母女</option>', chinese)


@pytest.mark.django_db
def test_a_crafted_english_label_is_refused(parent_client, wizard, xiaohua, english):
    """Only the source's labels are values: the English text itself is no choice."""
    translate_directly(wizard, english)
    client = in_english(parent_client)
    walk_to_applicants(client, wizard)
    father = {**FATHER, "relationship": "Father–son"}
    response = client.post(url(wizard, "applicants"), applicants_post(first=father))
    assert response.status_code == 200
    assert not Applicant.objects.exists()


@pytest.mark.django_db
def test_a_translation_whose_lists_differ_offers_the_sources_choices(
    parent_client, wizard, xiaohua, english
):
    english_page = translate_directly(wizard, english)
    english_page.relationships.all().last().delete()  # one relationship fewer than the source
    english_page.save_revision().publish()
    client = in_english(parent_client)
    walk_to_applicants(client, wizard)
    html = client.get(url(wizard, "applicants")).content.decode()
    assert "Father–son" not in html
    # The source's, marked as zh-Hant beside the English labels.
    assert re.search(r'<option value="父子" lang="zh-Hant-TW">父子</option>', html)
    assert "One account" not in html and 'lang="zh-Hant-TW">' in html


@pytest.mark.django_db
def test_lang_marks_the_zh_hant_text_beside_english_labels(parent_client, wizard, xiaohua, db):
    """No English version yet: the same address serves the zh-Hant page, and its text says so."""
    Locale.objects.create(language_code="en")
    client = in_english(parent_client)

    html = client.get(url(wizard, "student")).content.decode()
    assert '<html lang="en">' in html
    assert "Student data" in html  # the labels are English
    assert '<p class="lead" lang="zh-Hant-TW">本服務為臺北市政府教育局' in html
    walk_to_applicants(client, wizard)
    html = client.get(url(wizard, "applicants")).content.decode()
    one = r'<label for="[^"]+" lang="zh-Hant-TW"><input [^>]*> 一位申請帳號</label>'
    assert re.search(one, html)
    assert '<option value="父子" lang="zh-Hant-TW">父子</option>' in html
    assert '<option value="" selected>Choose the relationship</option>' in html  # English
    father = {**FATHER, "relationship": "父子"}
    client.post(url(wizard, "applicants"), applicants_post(first=father))
    assert Applicant.objects.get().relationship == "父子"


@pytest.mark.django_db
def test_zh_hant_pages_carry_no_lang_of_their_own(parent_client, wizard, xiaohua, english):
    translate_directly(wizard, english)
    html = parent_client.get(url(wizard, "student")).content.decode()
    assert '<html lang="zh-Hant-TW">' in html
    assert "本服務為臺北市政府教育局" in html and GREETING not in html
    assert 'lang="en"' not in html.split("<main", 1)[1]
    assert 'lang="zh-Hant-TW"' not in html.split("<main", 1)[1]


@pytest.mark.django_db
def test_an_unpublished_translation_falls_back_to_the_source(
    parent_client, wizard, xiaohua, english
):
    english_page = translate_directly(wizard, english)
    client = in_english(parent_client)
    assert GREETING in client.get(url(wizard, "student")).content.decode()
    assert GREETING in client.get(url(wizard, "student")).content.decode()  # from memory

    english_page.unpublish()

    html = client.get(url(wizard, "student")).content.decode()
    assert GREETING not in html and '<p class="lead" lang="zh-Hant-TW">本服務' in html


@pytest.mark.django_db
def test_translating_a_page_before_its_parent_is_refused_beside_the_field(wizard, english):
    """Wagtail's form greys out a language the parent page lacks; a POST that picks it anyway
    gets the form back with the reason, not a 500, and nothing is copied."""
    editor = Client()
    admin_login(editor, editor_user(username="translator"))
    submit = reverse("simple_translation:submit_page_translation", args=(wizard.pk,))

    response = editor.post(submit, {"locales": [english.pk]})

    assert response.status_code == 200
    assert response.context["form"].errors["locales"] == ["請先將上層頁面翻譯成這個語言。"]
    assert "請先將上層頁面翻譯成這個語言。" in response.content.decode()
    assert not BindingWizardPage.objects.filter(locale=english).exists()
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["²", "99999999999999999999", "abc", ""])
def test_a_crafted_language_value_gets_the_form_back(wizard, english, value):
    editor = Client()
    admin_login(editor, editor_user(username="translator"))
    submit = reverse("simple_translation:submit_page_translation", args=(wizard.get_parent().pk,))

    response = editor.post(submit, {"locales": [value]})

    assert response.status_code == 200
    assert response.context["form"].errors["locales"]
