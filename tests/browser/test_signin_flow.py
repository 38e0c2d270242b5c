import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, assert_fits_the_screen
from tests.factories import school, student

# serialized_rollback: the rows migrations create (the home page, groups) survive each test.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_portal_home_on_a_phone(page, live_server):
    page.goto(live_server.url)

    assert page.locator("h1").inner_text() == "臺北市校務系統入口網"
    assert page.get_by_role("link", name="親子帳號綁定").is_visible()
    assert_fits_the_screen(page)
    assert_accessible(page)


def test_parent_signs_in_with_the_student_account_and_changes_the_password(
    page, live_server, captcha_test_mode
):
    songshan = school()
    school(moe_code="353601", name="臺北市立螢橋國民小學", district="中正區")
    student(school=songshan)

    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="登入").click()
    assert_fits_the_screen(page)
    assert_accessible(page)

    # Choosing the district narrows the schools at once (JavaScript on).
    page.get_by_label("學生就讀學校所在的行政區域", exact=True).select_option(label="松山區")
    options = page.locator("#id_school option").all_inner_texts()
    assert "臺北市立螢橋國民小學（中正區）" not in options
    page.get_by_role("combobox", name="學校", exact=True).select_option(
        label="臺北市立松山國民小學（松山區）"
    )
    page.get_by_role("textbox", name="帳號", exact=True).fill("p108035")
    page.get_by_label("密碼 *", exact=True).fill("A234567893")
    page.get_by_role("textbox", name="輸入驗證碼", exact=True).fill("PASSED")
    page.get_by_role("button", name="登入").click()

    page.wait_for_url("**/signin/password/**")
    assert page.locator("h1").inner_text() == "設定新密碼"
    assert_accessible(page)
    page.get_by_role("textbox", name="新密碼", exact=True).fill("A234567893")
    page.get_by_role("textbox", name="新密碼確認", exact=True).fill("A234567893")
    page.get_by_role("button", name="儲存新密碼").click()
    assert page.get_by_text("密碼不可以是身分證字號或居留證號。").is_visible()
    assert_accessible(page)

    page.get_by_role("textbox", name="新密碼", exact=True).fill("Songshan-garden-2026")
    page.get_by_role("textbox", name="新密碼確認", exact=True).fill("Songshan-garden-2026")
    page.get_by_role("button", name="儲存新密碼").click()
    page.wait_for_url("**/bind/")


def test_sign_in_errors_are_announced_beside_the_fields(page, live_server, captcha_test_mode):
    songshan = school()
    student(school=songshan)

    page.goto(f"{live_server.url}/signin/")
    page.get_by_role("combobox", name="學校", exact=True).select_option(
        label="臺北市立松山國民小學（松山區）"
    )
    page.get_by_role("textbox", name="帳號", exact=True).fill("108035")
    page.get_by_role("button", name="登入").click()

    account = page.get_by_role("textbox", name="帳號", exact=True)
    assert account.get_attribute("aria-invalid") == "true"
    described = account.get_attribute("aria-describedby").split()
    assert "id_account-error" in described
    assert "帳號為大寫 P 加上學號" in page.locator("#id_account-error").inner_text()
    assert page.locator("#id_password-error").inner_text() == "必要欄位"
    assert_fits_the_screen(page)
    assert_accessible(page)


def test_parent_signs_in_with_the_enter_key_and_signs_out(page, live_server, captcha_test_mode):
    from django.contrib.auth import get_user_model

    from binding_forms.binding.services import wizard_page_create
    from home.models import HomePage

    xiaohua = student(school=school())
    xiaohua.user = get_user_model().objects.create_user(
        "313601-P108035", password="Songshan-garden-2026", first_name="陳小花"
    )
    xiaohua.save()
    wizard_page_create(parent=HomePage.objects.get())

    page.goto(f"{live_server.url}/signin/")
    page.get_by_role("combobox", name="學校", exact=True).select_option(
        label="臺北市立松山國民小學（松山區）"
    )
    account = page.get_by_role("textbox", name="帳號", exact=True)
    account.fill("P108035")
    page.get_by_label("密碼 *", exact=True).fill("Songshan-garden-2026")
    code = page.get_by_role("textbox", name="輸入驗證碼", exact=True)
    # 換一組驗證碼 shows another picture in place: nothing is submitted, nothing typed is lost.
    code.fill("12345")
    page.get_by_role("button", name="換一組驗證碼").click()
    # (Playwright's assertion, not wait_for_function: the page's CSP refuses evaluated strings.)
    expect(code).to_have_value("")
    assert account.input_value() == "P108035"
    assert page.get_by_role("button", name="換一組驗證碼").count() == 1
    assert_accessible(page)

    # A phone keyboard's Go key: Enter in the code field signs in.
    code.fill("PASSED")
    code.focus()
    page.keyboard.press("Enter")

    page.wait_for_url("**/binding/**")
    header = page.locator("header")
    assert "已登入：P108035 陳小花" in header.inner_text()
    assert_fits_the_screen(page)
    assert_accessible(page)

    header.get_by_role("button", name="登出").click()
    page.wait_for_url("**/signin/signout/")
    assert page.get_by_text("您已登出。").is_visible()
    assert page.locator("header").get_by_role("button", name="登出").count() == 0
    assert_accessible(page)
    page.goto(f"{live_server.url}/bind/")
    page.wait_for_url("**/signin/**")
