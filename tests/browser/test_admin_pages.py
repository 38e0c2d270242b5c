"""Wagtail's admin under its Content-Security-Policy (ADMIN_CSP): the editors' screens that run
Wagtail's inline scripts work, and the browser refuses nothing (the context fixture fails the
test on any refusal)."""

import datetime

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect

from binding_forms.binding.services import wizard_page_create
from home.models import HomePage
from review_workflow.models import MailTemplate
from tests.factories import admin_login, bulletin, editor_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def editor_page(page, client, live_server):
    """The browser signed in to the admin as an editor (both steps of the two-factor sign-in)."""
    admin_login(client, editor_user())
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page.set_viewport_size({"width": 1280, "height": 900})
    return page


def test_editors_screens_work_under_the_admin_policy(editor_page, live_server):
    page = editor_page
    wizard = wizard_page_create(parent=HomePage.objects.get())
    news = bulletin(title="開學通知", date=datetime.date(2026, 8, 30))

    page.goto(live_server.url + reverse("wagtailadmin_home"))
    assert page.locator("#wagtail-sidebar").count() == 1

    # InlinePanel writes an inline script: its "add" button must work.
    page.goto(live_server.url + reverse("wagtailadmin_pages:edit", args=(wizard.pk,)))
    relationships = page.locator("#id_relationships-FORMS > [data-inline-panel-child]")
    before = relationships.count()
    page.locator("#id_relationships-ADD").click()
    assert relationships.count() == before + 1

    # The date chooser is set up by an inline script too: it adds its picker to the page.
    page.goto(live_server.url + reverse("wagtailadmin_pages:edit", args=(news.pk,)))
    page.locator(".xdsoft_datetimepicker").first.wait_for(state="attached")

    # The mail template preview, framed by the preview panel, under the strict policy.
    template = MailTemplate.objects.get(kind="approved")
    page.goto(
        live_server.url
        + reverse("wagtailsnippets_review_workflow_mailtemplate:edit", args=(template.pk,))
    )
    # Wagtail's preview controller connects once its scripts ran: on a busy machine a click
    # before that opens the side panel without loading the preview.
    page.wait_for_load_state("networkidle")
    page.get_by_role("button", name="預覽").first.click()
    frame = page.frame_locator("iframe#w-preview-iframe")
    expect(frame.locator("pre")).to_contain_text("陳大名 您好", timeout=30_000)
