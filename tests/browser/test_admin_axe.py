"""The admin screens of a registrar and an editor, at 1366 px (a school office's laptop), pass
axe-core with no serious or critical violation (issue 13). The demo data fills them."""

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from binding_forms.models import Application
from home.models import BulletinPage
from review_workflow.models import MailTemplate
from tests.browser.conftest import assert_accessible
from tests.factories import admin_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LAPTOP = {"width": 1366, "height": 768}


@pytest.fixture
def demo(db):
    call_command("demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115


def signed_in(page, client, live_server, username):
    admin_login(client, get_user_model().objects.get(username=username))
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page.set_viewport_size(LAPTOP)
    return page


def visit(page, url):
    page.goto(url)
    # Wagtail's scripts add and label parts of the screen (menus, side panels) once they ran.
    page.wait_for_load_state("networkidle")


def test_registrars_screens_pass_axe(page, client, live_server, demo):
    signed_in(page, client, live_server, "songshan-registrar")
    in_review = Application.objects.filter(live=False).order_by("pk").first()
    screens = {
        "dashboard and binding progress": reverse("wagtailadmin_home"),
        "application list": reverse("application:list"),
        "application review": reverse("application:edit", args=(in_review.pk,)),
        "links": reverse("parent_student_link:index"),
    }
    failures = []
    for name, url in screens.items():
        visit(page, live_server.url + url)
        try:
            assert_accessible(page)
        except AssertionError as problem:
            failures.append(f"{name}: {problem}")
    assert failures == [], "\n".join(failures)


def test_the_review_screen_shows_an_applicants_whole_email(page, client, live_server, demo):
    signed_in(page, client, live_server, "songshan-registrar")
    in_review = Application.objects.filter(live=False).order_by("pk").first()
    visit(page, live_server.url + reverse("application:edit", args=(in_review.pk,)))

    email = page.locator("#id_applicant_1_email")
    assert "@example.com" in email.input_value()
    # The input is as wide as the address it holds: nothing of it scrolls out of sight.
    assert email.evaluate("input => input.scrollWidth <= input.clientWidth")


def test_editors_screens_pass_axe(page, client, live_server, demo):
    signed_in(page, client, live_server, "editor")
    bulletin = BulletinPage.objects.order_by("pk").first()
    template = MailTemplate.objects.order_by("pk").first()
    screens = {
        "dashboard": reverse("wagtailadmin_home"),
        "bulletin edit": reverse("wagtailadmin_pages:edit", args=(bulletin.pk,)),
        "document upload (Add a document)": reverse("wagtaildocs:add_multiple"),
        "mail templates": reverse("wagtailsnippets_review_workflow_mailtemplate:list"),
        "mail template edit": reverse(
            "wagtailsnippets_review_workflow_mailtemplate:edit", args=(template.pk,)
        ),
    }
    failures = []
    for name, url in screens.items():
        visit(page, live_server.url + url)
        try:
            assert_accessible(page)
        except AssertionError as problem:
            failures.append(f"{name}: {problem}")
    assert failures == [], "\n".join(failures)


def test_a_documents_title_is_asked_for_not_taken_from_the_file_name(
    page, client, live_server, demo, tmp_path
):
    signed_in(page, client, live_server, "editor")
    handout = tmp_path / "handout-2.pdf"
    handout.write_bytes(b"%PDF-1.4\n%%EOF\n")
    visit(page, live_server.url + reverse("wagtaildocs:add"))

    page.locator("#id_file").set_input_files(str(handout))

    # Wagtail would have written "handout-2" into the title; the box stays empty and required.
    title = page.locator("#id_title")
    assert title.input_value() == ""
    assert title.get_attribute("required") is not None
