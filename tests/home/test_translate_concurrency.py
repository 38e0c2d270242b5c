"""Translate pressed twice at the same moment (an editor's double click) on a real PostgreSQL:
one English copy of the page or snippet, and both answers lead to it — no 500."""

from functools import partial

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from wagtail.models import Locale

from home.models import HomePage, PortalService
from tests.concurrency import at_once
from tests.factories import admin_login, editor_user

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks need PostgreSQL (CI runs the suite on it: DATABASE_URL=postgres://…)",
    ),
]


def press_twice(path, locale) -> list:
    clients = [Client(), Client()]
    admin_login(clients[0], editor_user(username="translator"))
    clients[1].cookies = clients[0].cookies  # the same browser, the button pressed twice
    return at_once(*(partial(client.post, path, {"locales": [locale.pk]}) for client in clients))


def test_two_translations_of_a_page_at_once_make_one_copy():
    english = Locale.objects.create(language_code="en")
    home = HomePage.objects.get()

    answers = press_twice(
        reverse("simple_translation:submit_page_translation", args=(home.pk,)), english
    )

    copy = HomePage.objects.get(translation_key=home.translation_key, locale=english)
    edit = reverse("wagtailadmin_pages:edit", args=(copy.pk,))
    assert [answer.status_code for answer in answers] == [302, 302]
    assert [answer["Location"] for answer in answers] == [edit, edit]


def test_two_translations_of_a_snippet_at_once_make_one_copy():
    english = Locale.objects.create(language_code="en")
    service = PortalService.objects.create(name="臺北酷課雲", link="https://cooc.tp.edu.tw/")
    path = reverse(
        "simple_translation:submit_snippet_translation",
        args=("home", "portalservice", service.pk),
    )

    answers = press_twice(path, english)

    assert [answer.status_code for answer in answers] == [302, 302]
    assert PortalService.objects.filter(translation_key=service.translation_key).count() == 2
