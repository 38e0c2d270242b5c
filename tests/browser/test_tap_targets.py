"""Every link a parent may tap is at least 24×24 px on a 360 px phone (WCAG 2.5.8): the RSS and
Atom links, tabs, breadcrumbs, attachments, "forgot the password", links in a sentence — on the
public pages and the signed-in parent's own."""

import datetime

import pytest

from review_workflow.models import ParentStudentLink
from tests.browser.test_parent_home_flow import tap_targets_too_small
from tests.browser.test_wizard_flow import _session_cookie_for
from tests.factories import bulletin, school, student
from tests.single_sign_on.oidc import parent_account

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_every_link_is_a_tap_target_of_at_least_24_px(page, live_server):
    songshan = school()
    handout = bulletin(
        title="設備組8月教育訓練研習講義", date=datetime.date(2020, 8, 16), attach=True
    )
    parent = parent_account()
    ParentStudentLink.objects.create(
        parent=parent, student=student(school=songshan), relationship="父女"
    )

    public = ["/", "/signin/", "/signin/?tab=parent", handout.url, "/signin/reset/"]
    own = ["/me/", "/me/profile/", "/me/data/", "/me/services/"]
    too_small = {}
    for path in public + own:
        if path == own[0]:
            page.context.add_cookies([_session_cookie_for(parent, live_server)])
        page.goto(f"{live_server.url}{path}")
        assert page.locator("a:visible").count() > 0, path
        if small := tap_targets_too_small(page, "a:visible"):
            too_small[path] = small
    assert too_small == {}
