"""Step 4 end to end, as issue 12 asks, on a 360 px phone without JavaScript: the school
approves → the father signs in with his email and the last six digits of his ID → chooses his
own password → lands on 我的孩子 → opens 校園繳費系統 (示範) from the services list, agrees once and
arrives signed in with his child listed → signed out and back, the service lets him straight in
(consent once) → revokes it on 已授權的服務 → asks to unbind with a reason → downloads his data
(我的個資, as a page and as JSON) → signs out. Every page is checked by axe-core (in a phone with
JavaScript loading the same address) and for sideways scrolling."""

import json

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from binding_forms.binding.services import wizard_page_create
from home.demo_payments.client import demo_client_register
from home.models import HomePage, PortalService
from review_workflow.models import ParentStudentLink
from review_workflow.single_sign_on.models import ServiceConsent
from tests.browser.test_wizard_flow import check
from tests.factories import FATHER, registrar_user, school, student, submitted_application

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Hua-papa-2026!"  # noqa: S105
SERVICE = "校園繳費系統 (示範)"


def sign_in_as_parent(page, inspector, password: str):
    """The sign-in page's parent tab, without JavaScript: email, password, captcha."""
    check(page, inspector)
    page.get_by_role("textbox", name="電子郵件", exact=True).fill(FATHER["email"])
    page.get_by_label("密碼 *", exact=True).fill(password)
    page.get_by_role("textbox", name="輸入驗證碼", exact=True).fill("PASSED")
    page.get_by_role("button", name="登入").click()


def test_an_approved_parent_walks_step_4_from_sign_in_to_sign_out(
    phone_without_javascript, inspector, live_server, captcha_test_mode
):
    page = phone_without_javascript
    songshan = school()
    xiaohua = student(school=songshan)
    wizard = wizard_page_create(parent=HomePage.objects.get())
    application = submitted_application(student=xiaohua, page=wizard)
    state = application.current_workflow_state.current_task_state
    state.task.specific.on_action(state, registrar_user(of_school=songshan), "approve")
    demo_client_register(origins=[live_server.url])
    PortalService.objects.create(name=SERVICE, link="/demo/payments/", signs_in_through_portal=True)

    # The portal home → 登入 → the parent tab: email and the first password (last six digits).
    page.goto(f"{live_server.url}/")
    check(page, inspector)
    page.get_by_role("link", name="登入", exact=True).click()
    page.get_by_role("link", name="家長帳號登入", exact=True).first.click()
    sign_in_as_parent(page, inspector, FATHER["id_number"][-6:])

    # The first password must be changed at once.
    page.wait_for_url("**/signin/password/**")
    check(page, inspector)
    page.get_by_role("textbox", name="新密碼", exact=True).fill(PASSWORD)
    page.get_by_role("textbox", name="新密碼確認", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="儲存新密碼").click()

    # 我的孩子: the child, the services, the account's pages.
    page.wait_for_url("**/me/")
    assert page.locator("h1").inner_text() == "我的孩子"
    expect(page.get_by_role("heading", name="陳小花", exact=True)).to_be_visible()
    assert "臺北市立松山國民小學" in page.locator(".child-card").inner_text()
    expect(page.locator(".site-header")).to_contain_text("已登入")
    check(page, inspector)

    # The demo payment service, from the services list: consent once, then the child listed.
    page.get_by_role("link", name=SERVICE, exact=True).click()
    page.wait_for_url("**/demo/payments/")
    check(page, inspector)
    page.get_by_role("button", name="以臺北市校務系統入口網登入").click()
    page.wait_for_url("**/oauth/authorize**")
    consent = page.locator("main").inner_text()
    assert SERVICE in consent and "學號" in consent
    check(page, inspector)
    page.get_by_role("button", name="同意並登入").click()
    page.wait_for_url("**/demo/payments/")
    assert "陳小花" in page.locator(".demo-children").inner_text()
    assert "臺北市立松山國民小學" in page.locator(".demo-children").inner_text()
    check(page, inspector)
    assert ServiceConsent.objects.count() == 1

    # Signed out of the service (and, after asking, of the portal); signing in to it again
    # goes through the portal's sign-in and straight back: no second consent.
    page.get_by_role("button", name="登出示範服務").click()
    page.wait_for_url("**/oauth/logout**")
    check(page, inspector)
    page.locator("main").get_by_role("button", name="登出", exact=True).click()
    page.wait_for_url("**/demo/payments/")
    page.get_by_role("button", name="以臺北市校務系統入口網登入").click()
    page.wait_for_url("**/signin/**")
    sign_in_as_parent(page, inspector, PASSWORD)
    page.wait_for_url("**/demo/payments/")
    assert "陳小花" in page.locator(".demo-children").inner_text()
    assert ServiceConsent.objects.count() == 1

    # 已授權的服務: what the service received, and 撤銷.
    page.goto(f"{live_server.url}/me/")
    page.get_by_role("link", name="已授權的服務").click()
    page.wait_for_url("**/me/services/")
    assert SERVICE in page.locator("main").inner_text()
    check(page, inspector)
    page.get_by_role("button", name=f"撤銷「{SERVICE}」").click()
    page.wait_for_url("**/me/services/")
    assert "目前尚無服務" in page.content()
    check(page, inspector)
    assert not ServiceConsent.objects.exists()

    # 申請解除綁定, with a reason, from the profile.
    page.goto(f"{live_server.url}/me/")
    page.get_by_role("link", name="個人資料與密碼").click()
    page.wait_for_url("**/me/profile/")
    check(page, inspector)
    page.get_by_role("link", name="申請解除與陳小花的綁定").click()
    page.wait_for_url("**/me/unbind/**")
    check(page, inspector)
    page.get_by_role("button", name="送出申請").click()  # no reason first: said beside it
    assert page.locator(".field-error").count() == 1
    check(page, inspector)
    page.get_by_label("原因").fill("監護權變更")
    page.get_by_role("button", name="送出申請").click()
    page.wait_for_url("**/me/profile/")
    assert "等待學校審核" in page.content()
    link = ParentStudentLink.objects.get()
    assert link.unbinding_request_reason == "監護權變更" and link.revoked_at is None

    # 我的個資: a readable page and a JSON download, ID numbers masked.
    page.goto(f"{live_server.url}/me/")
    page.get_by_role("link", name="我的個資").click()
    page.wait_for_url("**/me/data/")
    check(page, inspector)
    content = page.locator("main").inner_text()
    assert "A12****789" in content and FATHER["id_number"] not in page.content()
    assert "陳小花" in content
    with page.expect_download() as download_info:
        page.get_by_role("link", name="下載 JSON 檔").click()
    download = download_info.value
    data = json.loads(open(download.path(), encoding="utf-8").read())  # noqa: PTH123
    assert data["account"]["sign_in_name"] == FATHER["email"]
    assert data["children"][0]["student"] == "陳小花"
    assert data["children"][0]["unbinding_reason"] == "監護權變更"
    assert FATHER["id_number"] not in json.dumps(data, ensure_ascii=False)

    # Signs out: the header's 登出; back to a signed-in page asks for a sign-in again.
    page.locator(".site-header").get_by_role("button", name="登出").click()
    page.wait_for_url("**/signin/signout/")
    expect(page.get_by_role("status")).to_have_text("您已登出。")
    check(page, inspector)
    page.goto(f"{live_server.url}/me/")
    page.wait_for_url("**/signin/?next=/me/")
    assert "陳小花" not in page.content()
    assert get_user_model().objects.get(username=FATHER["email"]).check_password(PASSWORD)
