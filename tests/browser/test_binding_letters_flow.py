"""The paper route end to end: a registrar prints a class's binding letters from the
binding-progress panel, a parent's phone scans one letter's QR code (decoded from the PDF the
browser downloaded), signs in with the child's password and arrives in the wizard for that
child; the same letter then says it was used, and still leads to the ordinary sign-in."""

import pypdfium2
import pytest
import zxingcpp
from django.urls import reverse

from binding_forms.binding.services import wizard_page_create
from binding_forms.models import BindingLetter
from home.models import HomePage
from tests.browser.conftest import assert_accessible, assert_fits_the_screen
from tests.browser.test_wizard_flow import check
from tests.factories import admin_login, registrar_user, school, student

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def qr_links(pdf_path) -> list[str]:
    links = []
    for page in pypdfium2.PdfDocument(pdf_path):
        image = page.render(scale=150 / 72).to_pil()
        links += [code.text for code in zxingcpp.read_barcodes(image)]
    return links


def test_print_scan_sign_in_and_arrive_in_the_wizard(
    page, client, live_server, settings, phone_without_javascript, inspector, captcha_test_mode
):
    settings.WAGTAILADMIN_BASE_URL = live_server.url
    songshan = school()
    student(school=songshan)
    wizard_page_create(parent=HomePage.objects.get())
    registrar = registrar_user(of_school=songshan, username="songshan-registrar")
    admin_login(client, registrar)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page.set_viewport_size({"width": 1366, "height": 900})

    # The registrar: the dashboard's binding-progress panel, then the class's letters.
    page.goto(live_server.url + reverse("wagtailadmin_home"))
    page.get_by_role("link", name="列印2年01班的綁定通知單").click()
    page.wait_for_url("**/admin/binding-letters/**")
    assert_accessible(page)
    page.get_by_label("全班").check()
    with page.expect_download() as download:
        page.get_by_role("button", name="列印通知單（PDF）").click()
    links = qr_links(download.value.path())
    assert len(links) == 1 and links[0].startswith(f"{live_server.url}/signin/letter/")

    # The parent's phone, without JavaScript: the scanned link, the child's password only.
    phone = phone_without_javascript
    phone.goto(links[0])
    assert phone.locator("h1").inner_text() == "以綁定通知單登入"
    assert "臺北市立松山國民小學" in phone.locator("main").inner_text()
    assert "P108035" in phone.locator("main").inner_text()
    check(phone, inspector)
    phone.get_by_label("密碼 *", exact=True).fill("A234567893")
    phone.get_by_role("textbox", name="輸入驗證碼", exact=True).fill("PASSED")
    phone.get_by_role("button", name="登入").click()

    phone.wait_for_url("**/signin/password/**")
    phone.get_by_role("textbox", name="新密碼", exact=True).fill("Songshan-garden-2026")
    phone.get_by_role("textbox", name="新密碼確認", exact=True).fill("Songshan-garden-2026")
    phone.get_by_role("button", name="儲存新密碼").click()

    phone.wait_for_url("**/binding/student/")
    assert "陳小花家長，您好！" in phone.locator("main").inner_text()
    assert "108035" in phone.locator("main").inner_text()
    assert BindingLetter.objects.get().state == BindingLetter.State.USED

    # The letter again: used, said plainly, with the way to the ordinary sign-in.
    phone.context.clear_cookies()
    phone.goto(links[0])
    assert phone.locator("h1").inner_text() == "這張通知單已無法使用"
    assert "已經用來登入過" in phone.locator("main").inner_text()
    check(phone, inspector)
    phone.get_by_role("link", name="前往登入").click()
    phone.wait_for_url("**/signin/?district=*")
    assert_fits_the_screen(phone)
