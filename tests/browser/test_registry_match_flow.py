"""The registrar's day with 學籍比對 in front of them: the applications the registry vouched for
are approved already; the listing's 需人工審核 shows only the exceptions, and the registrar
approves one in the admin."""

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect

from binding_forms.identity.personal_data import encrypt, id_number_digest
from binding_forms.models import Application, RegistryGuardian
from review_workflow.models import ParentStudentLink
from review_workflow.services.registry_match import registry_match_step_add
from tests.browser.conftest import assert_accessible
from tests.factories import FATHER, MOTHER, admin_login, student, submitted_application

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def known_guardian(pupil, *, name, relationship, id_number, lives_with_student=True):
    RegistryGuardian.objects.create(
        student=pupil,
        name=name,
        relationship=relationship,
        id_number_digest=id_number_digest(id_number),
        id_number_encrypted=encrypt(id_number),
        lives_with_student=lives_with_student,
    )


@pytest.fixture
def registrar_page(page, client, live_server, registrar):
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
    return page


def test_the_registrar_sees_only_the_exceptions_and_approves_one(
    registrar_page, live_server, songshan
):
    page = registrar_page
    registry_match_step_add(workflow=Application().get_workflow())
    xiaohua = student(school=songshan)
    known_guardian(xiaohua, name="陳大名", relationship="父", id_number=FATHER["id_number"])
    feng = student(school=songshan, number="108037", name="王峯", id_number="A118745206")
    known_guardian(feng, name="林美𠮷", relationship="母", id_number=MOTHER["id_number"])
    ji = student(school=songshan, number="108038", name="黃𠮷祥", id_number="A166203942")
    known_guardian(
        ji, name="黃淑芬", relationship="母", id_number="A283019473", lives_with_student=False
    )
    submitted_application(student=xiaohua)  # the registry vouches: approved by itself
    submitted_application(  # the mother picked another relationship
        student=feng, applicants=({**MOTHER, "relationship": "祖孫"},)
    )
    submitted_application(  # the registry marks her as not living with the child
        student=ji,
        applicants=(
            {
                **MOTHER,
                "name": "黃淑芬",
                "id_number": "A283019473",
                "email": "huang@example.com",
                "mobile": "0912000038",
                "relationship": "母子",
            },
        ),
    )
    assert ParentStudentLink.objects.filter(student=xiaohua).exists()

    # The listing's filter 學籍比對 › 需人工審核 (in Wagtail's filter drawer; its URL here).
    page.goto(live_server.url + reverse("application:list") + "?registry_match=needs_registrar")
    chosen = page.locator('input[name="registry_match"][value="needs_registrar"]')
    expect(chosen).to_be_checked()
    expect(page.locator(f'label[for="{chosen.get_attribute("id")}"]')).to_contain_text("需人工審核")
    rows = page.locator("table.listing tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator("table.listing")).not_to_contain_text("陳小花")
    expect(page.locator("table.listing")).to_contain_text("王峯")
    expect(page.locator("table.listing")).to_contain_text("黃𠮷祥")
    assert_accessible(page)

    # The registrar reads why in the application's history, then approves it.
    page.get_by_role("link", name="王峯").first.click()
    page.wait_for_load_state("networkidle")
    approve = page.locator(
        'button[data-workflow-action-name="approve"]:not([data-workflow-action-modal-url])'
    )
    if not approve.is_visible():  # under the action menu's "more" toggle
        page.locator("footer [data-w-dropdown-target='toggle']").first.click()
    approve.click()
    # The answer to the approval (its message), before anything else: a navigation started
    # while the approval's own request is still under way raced it (seen once in CI).
    expect(page.locator(".messages")).to_contain_text("已核准", timeout=30_000)
    page.wait_for_load_state("networkidle")

    assert ParentStudentLink.objects.filter(student=feng).get().approved_by.username == (
        "songshan-registrar"
    )
    assert not ParentStudentLink.objects.filter(student=ji).exists()
    page.goto(live_server.url + reverse("application:list") + "?registry_match=needs_registrar")
    expect(page.locator("table.listing")).to_contain_text("已核准")
