"""Step 4 on a 360 px phone: a signed-in parent opens the demo payment service, agrees once on
the consent page, arrives signed in with the child listed, signs out of it (and the portal),
finds it under 已授權的服務 and revokes it. Every portal page is checked by axe-core and for
sideways scrolling."""

import pytest

from home.demo_payments.client import demo_client_register
from review_workflow.models import ParentStudentLink
from review_workflow.single_sign_on.models import ServiceConsent
from tests.browser.test_wizard_flow import _session_cookie_for, check
from tests.factories import school, student
from tests.single_sign_on.oidc import parent_account

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_parent_signs_in_to_the_demo_service_and_revokes_it(
    phone_without_javascript, inspector, live_server
):
    page = phone_without_javascript
    parent = parent_account()
    child = student(school=school())
    ParentStudentLink.objects.create(parent=parent, student=child, relationship="父女")
    demo_client_register(origins=[live_server.url])
    page.context.add_cookies([_session_cookie_for(parent, live_server)])

    page.goto(f"{live_server.url}/demo/payments/")
    page.get_by_role("button", name="以臺北市校務系統入口網登入").click()

    # The consent page names what the service receives, once.
    page.wait_for_url("**/oauth/authorize**")
    assert "校園繳費系統 (示範)" in page.content()
    assert "學號" in page.locator("main").inner_text()
    check(page, inspector)
    page.get_by_role("button", name="同意並登入").click()

    # Back at the service, signed in, the child listed.
    page.wait_for_url("**/demo/payments/")
    assert "陳小花" in page.locator(".demo-children").inner_text()
    assert "臺北市立松山國民小學" in page.content()

    # Signing out of the service signs out of the portal too, after asking (RP-initiated logout),
    # and comes back to the service's registered address only.
    page.get_by_role("button", name="登出示範服務").click()
    page.wait_for_url("**/oauth/logout**")
    check(page, inspector)
    page.locator("main").get_by_role("button", name="登出", exact=True).click()
    page.wait_for_url("**/demo/payments/")
    assert page.get_by_role("button", name="以臺北市校務系統入口網登入").is_visible()

    # 已授權的服務, and 撤銷.
    page.context.add_cookies([_session_cookie_for(parent, live_server)])
    page.goto(f"{live_server.url}/me/services/")
    assert "校園繳費系統 (示範)" in page.content()
    check(page, inspector)
    page.get_by_role("button", name="撤銷「校園繳費系統 (示範)」").click()
    page.wait_for_url("**/me/services/")
    assert "目前尚無服務" in page.content()
    check(page, inspector)
    assert not ServiceConsent.objects.exists()
