"""我的孩子 on a 360 px phone: the father signs in with his parent account and lands on it, sees
his child, the form he can fill in and the city's services, and signs out; Back then shows the
signed-out page, not the one the phone had shown (nothing signed-in is stored)."""

import pytest
from playwright.sync_api import expect

from home.models import HomePage, PortalService
from review_workflow.models import ParentStudentLink
from tests.browser.conftest import assert_accessible, assert_fits_the_screen
from tests.factories import UserFactory, office_review_workflow, school, school_form, student

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
PASSWORD = "Hua-papa-2026!"  # noqa: S105


def tap_targets_too_small(page, selector: str) -> list[str]:
    """The links matched by ``selector`` whose box is smaller than 24×24 px (WCAG 2.5.8)."""
    return page.eval_on_selector_all(
        selector,
        """links => links.filter(link => {
            const box = link.getBoundingClientRect();
            return box.width < 24 || box.height < 24;
        }).map(link => link.textContent.trim())""",
    )


def test_a_parent_signs_in_lands_on_my_children_and_signs_out(page, live_server, captcha_test_mode):
    songshan = school()
    xiaohua = student(school=songshan)
    father = UserFactory(
        username="alle@schoolsoft.com.tw", email="alle@schoolsoft.com.tw", first_name="陳大名"
    )
    father.set_password(PASSWORD)
    father.save()
    ParentStudentLink.objects.create(parent=father, student=xiaohua, relationship="父女")
    school_form(parent=HomePage.objects.get(), workflow=office_review_workflow())
    PortalService.objects.create(
        name="校園繳費系統 (示範)", link="/demo/payment/", signs_in_through_portal=True
    )

    page.goto(f"{live_server.url}/")
    assert tap_targets_too_small(page, ".feed-links a") == []
    page.get_by_role("link", name="登入").click()
    page.get_by_role("link", name="家長帳號登入", exact=True).first.click()
    page.get_by_role("textbox", name="電子郵件").fill("alle@schoolsoft.com.tw")
    page.get_by_label("密碼 *", exact=True).fill(PASSWORD)
    page.get_by_role("textbox", name="輸入驗證碼", exact=True).fill("PASSED")
    page.get_by_role("button", name="登入").click()

    page.wait_for_url("**/me/")
    assert page.locator("h1").inner_text() == "我的孩子"
    expect(page.get_by_role("heading", name="陳小花", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="為 陳小花 填寫線上請假")).to_be_visible()
    expect(page.get_by_role("link", name="校園繳費系統 (示範)")).to_be_visible()
    expect(page.locator(".site-header")).to_contain_text("已登入：陳大名")
    assert tap_targets_too_small(page, "main a") == []
    assert_fits_the_screen(page)
    assert_accessible(page)

    page.locator(".site-header").get_by_role("button", name="登出").click()
    page.wait_for_url("**/signin/signout/")
    expect(page.get_by_role("status")).to_have_text("您已登出。")

    # Back, as the next person at a shared phone would: the server is asked again.
    page.go_back()
    page.wait_for_url("**/signin/?next=/me/")
    assert "陳小花" not in page.content()
    expect(page.locator(".site-header")).not_to_contain_text("已登入")


def test_sign_out_works_without_javascript_from_every_parent_page(
    phone_without_javascript, live_server
):
    from tests.browser.test_wizard_flow import _session_cookie_for

    page = phone_without_javascript
    father = UserFactory(username="alle@schoolsoft.com.tw", first_name="陳大名")
    for path in ("/", "/me/"):
        page.context.add_cookies([_session_cookie_for(father, live_server)])
        page.goto(f"{live_server.url}{path}")
        header = page.locator(".site-header")
        expect(header).to_contain_text("已登入：陳大名")
        expect(page.locator("main").get_by_role("link", name="登入")).to_have_count(0)
        header.get_by_role("button", name="登出").click()
        page.wait_for_url("**/signin/signout/")
        expect(page.get_by_role("status")).to_have_text("您已登出。")
        expect(header).not_to_contain_text("已登入")
