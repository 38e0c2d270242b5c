"""Content-Security-Policy: strict on the parent pages, as strict as Wagtail allows in the admin,
the same on Django 6 (its own middleware) and on Django 5.2 LTS (portal/csp.py)."""

import base64
import datetime
import hashlib
import re

import django
import pytest
from django.conf import settings
from django.urls import reverse
from portal.csp import policy_header
from wagtail.test.utils.form_data import nested_form_data, rich_text

from review_workflow.models import MailTemplate
from tests.factories import UserFactory, admin_login, bulletin, editor_user

CSP = "Content-Security-Policy"
OURS = "portal.csp.ContentSecurityPolicyMiddleware"
DJANGOS = "django.middleware.csp.ContentSecurityPolicyMiddleware"


def directives(response) -> dict[str, list[str]]:
    parts = (part.split() for part in response[CSP].split(";"))
    return {name: values for name, *values in parts}


@pytest.fixture(params=[DJANGOS, OURS] if django.VERSION >= (6, 0) else [OURS])
def csp_middleware(request, settings):
    """Each middleware that can send the policy here: Django's own (Django 6) and ours (what
    Django 5.2 LTS runs), in the place settings/base.py gives it."""
    settings.MIDDLEWARE = [
        request.param if name in (DJANGOS, OURS) else name for name in settings.MIDDLEWARE
    ]
    return request.param


def test_the_policy_is_sent_by_djangos_own_middleware_where_it_exists():
    expected = DJANGOS if django.VERSION >= (6, 0) else OURS
    assert expected in settings.MIDDLEWARE
    assert settings.MIDDLEWARE.index(expected) < settings.MIDDLEWARE.index(
        "portal.csp.PolicyChoiceMiddleware"
    )


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/signin/", "/signin/?tab=parent", "/no-such-page/"])
def test_parent_pages_allow_nothing_inline_and_nothing_from_elsewhere(client, csp_middleware, path):
    response = client.get(path)

    assert response[CSP] == policy_header(settings.SECURE_CSP)
    policy = directives(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["style-src"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]


@pytest.mark.django_db
def test_the_admin_has_its_own_policy_without_other_sites(client, csp_middleware):
    admin_login(client, editor_user())

    for path in (reverse("wagtailadmin_home"), reverse("wagtailadmin_login")):
        response = client.get(path)
        assert response[CSP] == policy_header(settings.ADMIN_CSP), path
        policy = directives(response)
        assert policy["default-src"] == ["'self'"]
        assert policy["script-src"] == ["'self'", "'unsafe-inline'"]  # Wagtail 8's inline scripts
        assert policy["frame-ancestors"] == ["'self'"]
        assert not any("http" in value for values in policy.values() for value in values)


@pytest.mark.django_db
def test_a_mail_template_preview_keeps_the_strict_policy_inside_the_admin(client, csp_middleware):
    admin_login(client, UserFactory(is_staff=True, is_superuser=True))
    template = MailTemplate.objects.get(kind="approved")
    url = reverse(
        "wagtailsnippets_review_workflow_mailtemplate:preview_on_edit", args=(template.pk,)
    )
    client.post(url, {"kind": "approved", "subject": template.subject, "body": template.body})

    response = client.get(url)

    assert response.status_code == 200
    policy = directives(response)
    assert policy["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["style-src"]
    assert policy["frame-ancestors"] == ["'self'"]  # the admin's preview panel frames it


def test_the_500_pages_own_style_is_the_one_the_policy_allows():
    html = (settings.BASE_DIR / "templates" / "500.html").read_text()
    (style,) = re.findall(r"<style>(.*?)</style>", html, re.S)
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()

    assert f"'sha256-{digest}'" in settings.SECURE_CSP["style-src"]


@pytest.mark.django_db
def test_a_page_preview_is_framed_by_the_admin_with_the_parent_pages_policy(client, csp_middleware):
    page = bulletin(title="開學通知", date=datetime.date(2026, 8, 30))
    admin_login(client, editor_user())
    url = reverse("wagtailadmin_pages:preview_on_edit", args=(page.pk,))
    client.post(
        url,
        nested_form_data(
            {
                "title": "開學通知",
                "slug": page.slug,
                "date": "2026-08-30",
                "body": rich_text("<p>內容</p>"),
                "attachments": {"TOTAL_FORMS": 0, "INITIAL_FORMS": 0},
            }
        ),
    )

    response = client.get(url)

    assert response.status_code == 200 and "開學通知" in response.content.decode()
    assert response[CSP] == policy_header({**settings.SECURE_CSP, "frame-ancestors": ["'self'"]})
