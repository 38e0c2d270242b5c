"""Every parent sign-in lands on 我的孩子; sign-out is on every parent page; and a signed-out
parent never sees a signed-in page the browser kept (shared family phones)."""

import pytest
from django.urls import reverse

from review_workflow.models import ParentAccount
from tests.factories import UserFactory, submitted_application
from tests.home.conftest import HOME, PASSWORD
from tests.review_workflow.test_approval import decide, sign_in_as_parent


def test_a_parent_signing_in_lands_on_their_home(client, parent):
    response = sign_in_as_parent(client, parent.email, PASSWORD)

    assert response.status_code == 302 and response["Location"] == HOME


def test_a_next_url_brought_to_the_sign_in_is_still_followed(client, parent, home_page):
    html = client.get(reverse("signin"), {"tab": "parent", "next": "/leave/"}).content.decode()
    assert 'name="next" value="/leave/"' in html
    assert 'name="next" value=""' in client.get(reverse("signin")).content.decode()


def test_after_the_forced_first_password_change_the_parent_lands_on_their_home(
    client, xiaohua, registrar
):
    decide(submitted_application(student=xiaohua), registrar, "approve")

    signed_in = sign_in_as_parent(client, "alle@schoolsoft.com.tw", "456789")
    assert signed_in["Location"] == f"{reverse('password_first_change')}?next=%2Fme%2F"
    changed = client.post(
        signed_in["Location"], {"new_password1": PASSWORD, "new_password2": PASSWORD}
    )

    assert changed.status_code == 302 and changed["Location"] == HOME
    assert "陳小花" in client.get(HOME).content.decode()


def test_after_a_password_reset_the_next_sign_in_lands_on_the_home(client, parent):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    uid = urlsafe_base64_encode(force_bytes(parent.pk))
    token = default_token_generator.make_token(parent)
    form = client.get(reverse("password_reset_confirm", args=[uid, token]), follow=True)
    new = "Another-garden-2027"
    done = client.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert done["Location"] == reverse("password_reset_complete")

    assert sign_in_as_parent(client, parent.email, new)["Location"] == HOME


@pytest.mark.parametrize("path", ["/", HOME, "/signin/signout/"])
def test_every_parent_page_names_who_is_signed_in_and_offers_sign_out(client, parent, path):
    client.force_login(parent)

    html = client.get(path).content.decode()

    header = html[html.index('<header class="site-header">') : html.index("</header>")]
    assert "已登入：陳大名" in header
    assert f'<form method="post" action="{reverse("signout")}">' in header and "登出" in header
    entry_points = html[html.index("<main") :]
    assert f'href="{reverse("signin")}"' not in entry_points  # no 登入 while signed in


def test_the_portal_home_offers_sign_in_to_a_signed_out_visitor(client, db):
    html = client.get("/").content.decode()

    assert f'href="{reverse("signin")}"' in html and "已登入" not in html


@pytest.mark.parametrize("path", ["/", HOME, "/signin/signout/"])
def test_signed_in_pages_are_never_stored(client, parent, path):
    client.force_login(parent)

    cache_control = client.get(path)["Cache-Control"]

    assert "private" in cache_control and "no-store" in cache_control


def test_the_sign_in_response_itself_is_never_stored(client, parent):
    response = sign_in_as_parent(client, parent.email, PASSWORD)

    assert "no-store" in response["Cache-Control"]


def test_a_signed_out_visitors_public_pages_stay_cacheable(client, db):
    assert "no-store" not in client.get("/").get("Cache-Control", "")


def test_after_sign_out_the_home_answers_with_the_signed_out_page(client, parent):
    client.force_login(parent)
    assert "陳小花" in client.get(HOME).content.decode()

    signed_out = client.post(reverse("signout"), follow=True)
    assert "您已登出。" in signed_out.content.decode()

    # Back to /me/ (what Back asks again, as nothing was stored): the sign-in, not 陳小花.
    back = client.get(HOME, follow=True)
    html = back.content.decode()
    assert back.redirect_chain[-1][0].startswith(reverse("signin"))
    assert "陳小花" not in html and "已登入" not in html


def test_a_staff_member_has_no_childrens_home_but_is_not_refused(client, db):
    staff = UserFactory(username="clerk", is_staff=True)
    client.force_login(staff)

    assert client.get(HOME).status_code == 200
    assert not ParentAccount.objects.exists()
