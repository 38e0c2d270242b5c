"""線上請假 on a phone, without JavaScript and by keyboard: a parent of two children chooses one,
fills both screens (with an error on the way), attaches a file, confirms and sees the status;
every page checked by axe-core and for sideways scrolling."""

import pytest

from review_workflow.models import ParentStudentLink, SchoolFormSubmission
from tests.browser.conftest import assert_accessible, assert_fits_the_screen
from tests.browser.test_wizard_flow import _session_cookie_for, check
from tests.factories import (
    PDF_BYTES,
    UserFactory,
    office_review_workflow,
    school,
    school_form,
    student,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_parent_files_a_leave_request_on_a_phone(
    phone_without_javascript, inspector, live_server, tmp_path
):
    from home.models import HomePage

    page = phone_without_javascript
    songshan = school()
    parent = UserFactory(username="dad@example.com", first_name="陳大名")
    for number, name, id_number in (
        ("108035", "陳小花", "A234567893"),
        ("110021", "陳小明", "A100000001"),
    ):
        child = student(school=songshan, number=number, name=name, id_number=id_number)
        ParentStudentLink.objects.create(parent=parent, student=child, relationship="父")
    form = school_form(parent=HomePage.objects.get(), workflow=office_review_workflow())
    page.context.add_cookies([_session_cookie_for(parent, live_server)])

    # Which child.
    page.goto(f"{live_server.url}{form.url}")
    page.wait_for_url("**/leave/child/")
    check(page, inspector)
    page.get_by_role("radio", name="陳小明（臺北市立松山國民小學 2年01班）").check()
    page.get_by_role("button", name="繼續").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")

    # The first screen, sent empty first: the errors beside the fields.
    page.wait_for_url("**/leave/part1/**")
    check(page, inspector)
    page.get_by_role("button", name="下一步").click()
    assert page.locator(".field-error").count() >= 3
    check(page, inspector)
    page.get_by_label("請假日期（起）").fill("2026-12-01")
    page.get_by_label("請假日期（迄）").fill("2026-12-02")
    page.get_by_role("radio", name="病假").check()
    page.get_by_role("checkbox", name="第一節").check()
    page.get_by_role("button", name="下一步").click()

    # The second screen, with the doctor's note.
    page.wait_for_url("**/leave/part2/**")
    check(page, inspector)
    page.get_by_label("事由").fill("感冒發燒，在家休養。")
    note = tmp_path / "診斷證明.pdf"
    note.write_bytes(PDF_BYTES)
    page.get_by_label("證明文件").set_input_files(note)
    page.get_by_role("button", name="下一步").click()

    # Confirm and send.
    page.wait_for_url("**/leave/confirm/**")
    check(page, inspector)
    assert "感冒發燒" in page.content() and "診斷證明.pdf" in page.content()
    page.get_by_role("button", name="▶ 確認送出").click()

    page.wait_for_url("**/leave/status/**")
    assert "審核中" in page.locator(".status").inner_text()
    check(page, inspector)
    submission = SchoolFormSubmission.objects.get()
    assert submission.student.name == "陳小明" and submission.submitted_at is not None


def test_the_not_for_you_page_is_accessible(inspector, live_server):
    from home.models import HomePage

    form = school_form(parent=HomePage.objects.get(), workflow=office_review_workflow())
    pupil = UserFactory(username="313601-P108035")
    inspector.context.add_cookies([_session_cookie_for(pupil, live_server)])

    inspector.goto(f"{live_server.url}{form.url}")

    assert "已綁定子女" in inspector.content()
    assert_fits_the_screen(inspector)
    assert_accessible(inspector)
