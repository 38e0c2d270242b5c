"""The wizard as parents asked for it on a phone (360 px): the consent notice part of the page
with the handbook's 據上，請擇一勾選以下選項 above the choices, progress labels that never break
inside a word, and (with JavaScript only) no second applicant for a one-applicant type."""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from binding_forms.binding.services import (
    application_confirm_student,
    application_for,
    application_record_consent,
    wizard_page_create,
)
from home.models import HomePage
from tests.browser.conftest import assert_accessible, assert_fits_the_screen
from tests.browser.test_wizard_flow import _session_cookie_for
from tests.factories import school, student

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def wizard_at(step: str):
    """A student account signed in, its application at ``step`` (student, consent, applicants)."""
    pupil = student(school=school())
    wizard = wizard_page_create(parent=HomePage.objects.get())
    user = get_user_model().objects.create_user("313601-P108035", password="Chosen-pass-2026")
    pupil.user = user
    pupil.save()
    application = application_for(student=pupil, page=wizard, user=user)
    if step != "student":
        application_confirm_student(application=application)
    if step == "applicants":
        application_record_consent(application=application, page=wizard, agreed=True)
    return wizard, user


def broken_inside(page) -> list[str]:
    """The words of the progress bar (its labels and states) the browser laid out on more
    than one line."""
    return page.eval_on_selector_all(
        ".wizard-progress li",
        """items => items.flatMap(item => Array.from(item.querySelectorAll("*")).concat([item])
            .flatMap(el => Array.from(el.childNodes))
            .filter(node => node.nodeType === Node.TEXT_NODE && node.textContent.trim())
            .filter(node => {
                const word = node.textContent.trim();
                const range = document.createRange();
                const start = node.textContent.indexOf(word);
                range.setStart(node, start);
                range.setEnd(node, start + word.length);
                return range.getClientRects().length > 1;
            })
            .map(node => node.textContent.trim()))""",
    )


def test_the_consent_notice_is_part_of_the_page_with_the_handbooks_words_above_the_choices(
    page, live_server
):
    wizard, user = wizard_at("consent")
    page.context.add_cookies([_session_cookie_for(user, live_server)])

    page.goto(f"{live_server.url}{wizard.url}consent/")

    notice = page.locator(".consent-notice")
    scrolls_inside = notice.evaluate(
        "el => ['auto', 'scroll'].includes(getComputedStyle(el).overflowY)"
        " || el.scrollHeight > el.clientHeight + 1"
    )
    assert not scrolls_inside
    choices = page.get_by_role("group", name="據上，請擇一勾選以下選項：")
    expect(choices.get_by_role("radio")).to_have_count(2)
    legend_top = choices.locator("legend").bounding_box()["y"]
    first_choice_top = choices.get_by_role("radio").first.bounding_box()["y"]
    assert legend_top < first_choice_top
    assert_fits_the_screen(page)
    assert_accessible(page)


def test_with_javascript_a_one_applicant_type_hides_the_second_applicant(page, live_server):
    wizard, user = wizard_at("applicants")
    page.context.add_cookies([_session_cookie_for(user, live_server)])

    page.goto(f"{live_server.url}{wizard.url}applicants/")
    second = page.get_by_role("group", name="第二位")
    expect(second).to_be_visible()  # no type chosen yet

    page.get_by_role("radio", name="一位申請帳號", exact=True).check()
    expect(second).to_be_hidden()
    page.get_by_role("radio", name="雙親為監護人，二位申請帳號", exact=True).check()
    expect(second).to_be_visible()
    page.get_by_role("radio", name="其他關係者擔任監護人，申辦帳號", exact=True).check()
    expect(second).to_be_hidden()
    assert_accessible(page)


def test_without_javascript_both_applicants_show_whatever_the_type(
    phone_without_javascript, live_server
):
    page = phone_without_javascript
    wizard, user = wizard_at("applicants")
    page.context.add_cookies([_session_cookie_for(user, live_server)])

    page.goto(f"{live_server.url}{wizard.url}applicants/")
    page.get_by_role("radio", name="一位申請帳號", exact=True).check()

    expect(page.get_by_role("group", name="第二位")).to_be_visible()


def test_progress_labels_never_break_inside_a_word_at_360_px(page, live_server):
    wizard, user = wizard_at("student")
    page.context.add_cookies([_session_cookie_for(user, live_server)])

    page.goto(f"{live_server.url}{wizard.url}student/")

    assert page.locator(".wizard-progress strong").all_inner_texts() == ["未確認", "未設定"]
    assert broken_inside(page) == []
    assert_fits_the_screen(page)
    assert_accessible(page)
