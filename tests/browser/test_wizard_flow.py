"""The handbook, screen by screen, on a phone, without JavaScript: from the portal home to
設定親子帳號成功!, with an accessibility check on every page."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from binding_forms.binding.services import (
    application_confirm_student,
    application_for,
    application_record_consent,
    wizard_page_create,
)
from home.models import HomePage
from tests.browser.conftest import assert_accessible, assert_fits_the_screen
from tests.factories import school, student

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def check(page, inspector=None):
    """Accessibility and fit of the page as shown; a page without JavaScript is inspected by
    loading the same URL, with the same cookies, where scripts may run."""
    if inspector is not None:
        inspector.context.clear_cookies()
        inspector.context.add_cookies(page.context.cookies())
        inspector.goto(page.url)
        page = inspector
    assert_fits_the_screen(page)
    assert_accessible(page)


def sign_in_with_the_student_account(page, password: str):
    """Screen 1 without JavaScript: district (a reload), school, P+學號, password, captcha."""
    page.get_by_label("學生就讀學校所在的行政區域", exact=True).select_option(label="松山區")
    page.get_by_role("button", name="顯示該區學校").click()  # no JavaScript: a reload
    page.get_by_role("combobox", name="學校", exact=True).select_option(
        label="臺北市立松山國民小學（松山區）"
    )
    page.get_by_role("textbox", name="帳號", exact=True).fill("P108035")
    page.get_by_label("密碼 *", exact=True).fill(password)
    page.get_by_role("textbox", name="輸入驗證碼", exact=True).fill("PASSED")
    page.get_by_role("button", name="登入").click()


def type_the_mailed_code(page, inspector):
    """The verify step: the applicant types the code the last mail holds."""
    page.wait_for_url("**/binding/verify/")
    check(page, inspector)
    code = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
    page.get_by_role("textbox", name="驗證碼").fill(code)
    page.get_by_role("button", name="確認送出").click()


def test_the_handbook_flow(phone_without_javascript, inspector, live_server, captcha_test_mode):
    page = phone_without_javascript
    songshan = school()
    student(school=songshan)
    wizard_page_create(parent=HomePage.objects.get())

    # Screen 0: the portal home.
    page.goto(live_server.url)
    check(page, inspector)
    page.get_by_role("link", name="親子帳號綁定").click()

    # Screen 1: district, school, P+學號, the ID as first password, captcha.
    page.wait_for_url("**/signin/**")
    check(page, inspector)
    sign_in_with_the_student_account(page, "A234567893")

    page.wait_for_url("**/signin/password/**")
    check(page, inspector)
    page.get_by_role("textbox", name="新密碼", exact=True).fill("Songshan-garden-2026")
    page.get_by_role("textbox", name="新密碼確認", exact=True).fill("Songshan-garden-2026")
    page.get_by_role("button", name="儲存新密碼").click()

    # Screen 2: the student's data, confirmed by keyboard.
    page.wait_for_url("**/binding/student/")
    assert page.get_by_role("heading", level=1).inner_text() == "陳小花家長，您好！"
    assert "未確認" in page.locator(".wizard-progress").inner_text()
    check(page, inspector)
    page.get_by_role("button", name="✓ 資訊正確").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "已確認" in page.locator(".wizard-progress").inner_text()
    page.get_by_role("button", name="➤ 填答送出").click()

    # Screen 3: consent.
    page.wait_for_url("**/binding/consent/")
    check(page, inspector)
    page.get_by_role("radio", name=re.compile("本人同意提供本同意書所需個資")).check()
    page.get_by_role("button", name="申辦帳號").click()

    # Screen 4: the applicant, as in the handbook.
    page.wait_for_url("**/binding/applicants/")
    check(page, inspector)
    page.get_by_role("radio", name="一位申請帳號", exact=True).check()
    first = page.get_by_role("group", name="第一位")
    first.get_by_role("textbox", name="申請人姓名").fill("陳大名")
    first.get_by_role("combobox", name="親屬關係").select_option("父女")
    first.get_by_role("textbox", name="身分證字號").fill("A123456789")
    first.get_by_role("textbox", name="手機").fill("0912123456")
    first.get_by_role("textbox", name="電子郵件").fill("alle@schoolsoft.com.tw")
    page.get_by_role("button", name="▶ 確認送出").click()

    # The applicant proves the address with the mailed code.
    type_the_mailed_code(page, inspector)

    page.wait_for_url("**/binding/done/")
    assert page.get_by_text("設定親子帳號成功!").is_visible()
    assert "已設定" in page.locator(".wizard-progress").inner_text()
    assert "審核中" in page.locator(".status").inner_text()
    check(page, inspector)


def test_validation_errors_on_a_phone(page, live_server):
    """With JavaScript on too: errors beside their fields, announced, typed input kept."""
    pupil = student(school=school())
    wizard = wizard_page_create(parent=HomePage.objects.get())
    user = get_user_model().objects.create_user("313601-P108035", password="Chosen-pass-2026")
    pupil.user = user
    pupil.save()
    application = application_for(student=pupil, page=wizard, user=user)
    application_confirm_student(application=application)
    application_record_consent(application=application, page=wizard, agreed=True)

    page.context.add_cookies([_session_cookie_for(user, live_server)])
    page.goto(f"{live_server.url}{wizard.url}applicants/")
    page.get_by_role("radio", name="一位申請帳號", exact=True).check()
    first = page.get_by_role("group", name="第一位")
    first.get_by_role("textbox", name="申請人姓名").fill("陳大名")
    first.get_by_role("textbox", name="身分證字號").fill("A123456788")
    first.get_by_role("textbox", name="手機").fill("02-2720-8889")
    page.get_by_role("button", name="▶ 確認送出").click()

    id_field = first.get_by_role("textbox", name="身分證字號")
    assert id_field.get_attribute("aria-invalid") == "true"
    assert (
        "檢查碼不正確"
        in page.locator(f"#{id_field.get_attribute('aria-describedby')}").inner_text()
    )
    assert first.get_by_role("textbox", name="申請人姓名").input_value() == "陳大名"
    check(page)


def _session_cookie_for(user, live_server) -> dict:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "binding_forms.accounts.backends.SignInNameBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": session.session_key,
        "url": live_server.url,
    }


def test_approved_then_the_parent_signs_in_with_the_parent_account(
    phone_without_javascript, inspector, live_server, captcha_test_mode
):
    """After the school approves: the status page says how to sign in, and the father signs in
    with his email and the last six digits of his ID, then must choose his own password."""
    from tests.factories import registrar_user, submitted_application

    page = phone_without_javascript
    songshan = school()
    pupil = student(school=songshan)
    wizard = wizard_page_create(parent=HomePage.objects.get())
    application = submitted_application(student=pupil, page=wizard)
    state = application.current_workflow_state.current_task_state
    state.task.specific.on_action(state, registrar_user(of_school=songshan), "approve")
    pupil.user.set_password("Songshan-garden-2026")
    pupil.user.save()

    page.context.add_cookies([_session_cookie_for(pupil.user, live_server)])
    page.goto(f"{live_server.url}{wizard.url}done/")
    assert "已核准" in page.locator(".status").inner_text()
    check(page, inspector)
    page.get_by_role("link", name="以家長帳號登入").click()

    page.wait_for_url("**/signin/?tab=parent")
    check(page, inspector)
    page.get_by_role("textbox", name="電子郵件", exact=True).fill("alle@schoolsoft.com.tw")
    page.get_by_label("密碼 *", exact=True).fill("456789")
    page.get_by_role("textbox", name="輸入驗證碼", exact=True).fill("PASSED")
    page.get_by_role("button", name="登入").click()

    page.wait_for_url("**/signin/password/**")
    check(page, inspector)
    page.get_by_role("textbox", name="新密碼", exact=True).fill("Hua-papa-2026!")
    page.get_by_role("textbox", name="新密碼確認", exact=True).fill("Hua-papa-2026!")
    page.get_by_role("button", name="儲存新密碼").click()
    page.wait_for_load_state()
    assert "/signin/password/" not in page.url
    check(page, inspector)
    assert (
        get_user_model()
        .objects.get(username="alle@schoolsoft.com.tw")
        .check_password("Hua-papa-2026!")
    )


def test_the_school_asks_for_changes_and_the_parent_sees_it_on_signing_in(
    phone_without_javascript, inspector, live_server, captcha_test_mode
):
    """Registrar's comment → the parent signs in and lands on 已要求修改 with it → edits and sends
    again (the ID kept, shown masked) → the registrar approves → the parent sees 已核准."""
    from binding_forms.models import Application
    from tests.factories import registrar_user, submitted_application

    page = phone_without_javascript
    songshan = school()
    pupil = student(school=songshan)
    wizard = wizard_page_create(parent=HomePage.objects.get())
    application = submitted_application(student=pupil, page=wizard)
    pupil.user.set_password("Songshan-garden-2026")
    pupil.user.save()
    registrar = registrar_user(of_school=songshan)
    state = application.current_workflow_state.current_task_state
    state.task.specific.on_action(state, registrar, "reject", comment="手機號碼有誤，請更正")

    # The parent signs in as usual and lands where the school's word is.
    page.goto(f"{live_server.url}{wizard.url}")
    page.wait_for_url("**/signin/**")
    sign_in_with_the_student_account(page, "Songshan-garden-2026")

    page.wait_for_url("**/binding/applicants/")
    changes = page.locator(".notice-changes")
    assert changes.get_by_role("heading", name="已要求修改").is_visible()
    assert "手機號碼有誤，請更正" in changes.inner_text()
    assert "已要求修改" in page.locator(".wizard-progress").inner_text()
    assert "設定親子帳號成功!" not in page.content()
    assert "A123456789" not in page.content()
    check(page, inspector)

    # Edits the mobile; the ID, shown masked, is left as it is.
    first = page.get_by_role("group", name="第一位")
    assert first.get_by_role("textbox", name="身分證字號").input_value() == ""
    assert "A12****789" in first.inner_text()
    first.get_by_role("textbox", name="手機").fill("0912000111")
    page.get_by_role("button", name="▶ 確認送出").click()

    type_the_mailed_code(page, inspector)

    page.wait_for_url("**/binding/done/")
    assert "審核中" in page.locator(".status").inner_text()
    assert "已設定" in page.locator(".wizard-progress").inner_text()
    check(page, inspector)

    # The registrar approves what was sent again; the parent sees it.
    application = Application.objects.get()
    assert application.applicants.get().mobile == "0912000111"
    state = application.current_workflow_state.current_task_state
    state.task.specific.on_action(state, registrar, "approve")
    page.reload()
    assert "已核准" in page.locator(".status").inner_text()
    assert page.locator(".notice-changes").count() == 0
    check(page, inspector)


def test_a_parent_picks_a_siblings_school_by_district_with_javascript(page, live_server):
    """The child step filters schools as the sign-in page does: at once with JavaScript."""
    from review_workflow.models import ParentStudentLink

    songshan = school()
    yingqiao = school(moe_code="353601", name="臺北市立螢橋國民小學", district="中正區")
    pupil = student(school=songshan)
    student(school=yingqiao, number="200001", name="陳小草", id_number="A139205814")
    wizard = wizard_page_create(parent=HomePage.objects.get())
    parent = get_user_model().objects.create_user("alle@schoolsoft.com.tw", password="Parent-1")
    ParentStudentLink.objects.create(parent=parent, student=pupil, relationship="父女")

    page.context.add_cookies([_session_cookie_for(parent, live_server)])
    page.goto(f"{live_server.url}{wizard.url}child/")
    assert "陳小花（臺北市立松山國民小學 2年01班）" in page.locator("main").inner_text()
    check(page)
    child_url = page.url
    page.get_by_label("學生就讀學校所在的行政區域", exact=True).select_option(label="中正區")
    schools = page.get_by_role("combobox", name="學校", exact=True)
    assert "臺北市立松山國民小學（松山區）" not in schools.inner_text()
    assert page.url == child_url  # filtered in the page, no reload
    schools.select_option(label="臺北市立螢橋國民小學（中正區）")
    page.get_by_role("textbox", name="帳號", exact=True).fill("P200001")
    page.get_by_label("密碼 *", exact=True).fill("A139205814")
    page.get_by_role("button", name="繼續").click()

    page.wait_for_url("**/binding/student/")
    assert page.get_by_role("heading", level=1).inner_text() == "陳小草家長，您好！"
