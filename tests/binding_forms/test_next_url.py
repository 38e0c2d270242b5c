"""The one rule for a ``next`` URL (binding_forms.accounts.next_url)."""

import pytest
from django.test import RequestFactory

from binding_forms.accounts.next_url import safe_next_url


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"next": "/binding/?step=2"}, "/binding/?step=2"),
        ({"next": "https://evil.example/"}, "/home/"),
        ({"next": "//evil.example/"}, "/home/"),
        ({"next": "javascript:alert(1)"}, "/home/"),
        ({}, "/home/"),
    ],
)
def test_next_stays_on_this_site(query, expected):
    request = RequestFactory().get("/signin/", query)

    assert safe_next_url(request, default="/home/") == expected


def test_post_comes_before_get_and_a_given_candidate_before_both():
    request = RequestFactory().post("/signin/?next=/from-get/", {"next": "/from-post/"})

    assert safe_next_url(request, default="/home/") == "/from-post/"
    assert safe_next_url(request, default="/home/", candidate="/given/") == "/given/"
    assert safe_next_url(request, default="/home/", candidate="http://other/") == "/home/"


def test_an_https_request_is_not_sent_to_plain_http():
    request = RequestFactory().get("/signin/", {"next": "http://testserver/x/"}, secure=True)

    assert safe_next_url(request, default="/home/") == "/home/"
