"""The parent's own records on a phone, without JavaScript and by keyboard: the profile with an
error on the way, 申請解除綁定 for one child, 我的個資; every page checked by axe-core and for
sideways scrolling."""

import pytest

from binding_forms.identity.personal_data import encrypt, id_number_digest
from review_workflow.models import ParentAccount, ParentStudentLink
from tests.browser.test_wizard_flow import _session_cookie_for, check
from tests.factories import UserFactory, school, student

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_parent_updates_the_profile_asks_to_unbind_and_reads_their_data(
    phone_without_javascript, inspector, live_server
):
    page = phone_without_javascript
    songshan = school()
    parent = UserFactory(username="dad@example.com", first_name="陳大名")
    ParentAccount.objects.create(
        user=parent,
        id_number_digest=id_number_digest("A123456789"),
        id_number_encrypted=encrypt("A123456789"),
        mobile="0912123456",
    )
    link = ParentStudentLink.objects.create(
        parent=parent, student=student(school=songshan), relationship="父女"
    )
    page.context.add_cookies([_session_cookie_for(parent, live_server)])

    # The profile; a wrong mobile first, its error beside the field.
    page.goto(f"{live_server.url}/me/profile/")
    check(page, inspector)
    page.get_by_role("textbox", name="手機").fill("12345")
    page.get_by_role("button", name="儲存手機號碼").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator(".field-error").count() == 1
    check(page, inspector)
    page.get_by_role("textbox", name="手機").fill("0987-654-321")
    page.get_by_role("button", name="儲存手機號碼").click()
    page.wait_for_url("**/me/profile/")
    assert "您的手機號碼已儲存" in page.content()

    # 申請解除綁定 for the child.
    page.get_by_role("link", name="申請解除與陳小花的綁定").click()
    page.wait_for_url(f"**/me/unbind/{link.pk}/")
    check(page, inspector)
    page.get_by_label("原因").fill("監護權變更")
    page.get_by_role("button", name="送出申請").click()
    page.wait_for_url("**/me/profile/")
    assert "等待學校審核" in page.content()
    link.refresh_from_db()
    assert link.unbinding_requested_at is not None and link.revoked_at is None

    # 我的個資.
    page.goto(f"{live_server.url}/me/data/")
    check(page, inspector)
    content = page.content()
    assert "A12****789" in content and "A123456789" not in content and "0987654321" in content
