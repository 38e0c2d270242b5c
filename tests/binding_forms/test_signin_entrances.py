"""Where one signs in: parents and student accounts at /signin/ (captcha, lockout), staff at the
admin's login, and nowhere else."""

import re

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.contrib.auth.views import LoginView
from django.core import mail
from django.urls import URLResolver, get_resolver, resolve
from wagtail.admin.views.account import get_user_login_form
from wagtail.models import PageViewRestriction

from binding_forms.models import Student
from tests.binding_forms.test_lockout import EMAIL, PARENT_ID, parent_with_first_password

ADMIN_LOGIN = "/admin/login/"
REFUSED = "家長與學生帳號請在入口網的登入頁面 /signin/ 登入"


def admin_sign_in(client, username, password):
    return client.post(ADMIN_LOGIN, {"username": username, "password": password})


def error_text(response) -> str:
    return re.search(r'<li class="error">(.*?)</li>', response.content.decode(), re.S).group(1)


@pytest.mark.django_db
def test_a_student_account_is_refused_at_the_admin_login_like_a_wrong_password(client, xiaohua):
    right = admin_sign_in(client, "313601-P108035", "A234567893")
    wrong = admin_sign_in(client, "313601-P108035", "A123456789")

    assert right.status_code == wrong.status_code == 200
    assert error_text(right) == error_text(wrong)
    assert REFUSED in error_text(right)
    assert "_auth_user_id" not in client.session
    xiaohua.refresh_from_db()
    assert xiaohua.user is None  # no account was made for the child
    # Counted like any failure: the lockout tells nothing either.
    assert AccessAttempt.objects.get().failures_since_start == 2


@pytest.mark.django_db
def test_a_parent_account_is_refused_at_the_admin_login(client):
    new_parent = parent_with_first_password()
    first_password = admin_sign_in(client, EMAIL, PARENT_ID[-6:])
    new_parent.set_password("Parent-pass-2026")
    new_parent.password_change_required = False
    new_parent.save()
    own_password = admin_sign_in(client, EMAIL, "Parent-pass-2026")
    wrong = admin_sign_in(client, EMAIL, "Parent-pass-2027")

    assert {first_password.status_code, own_password.status_code, wrong.status_code} == {200}
    assert error_text(first_password) == error_text(own_password) == error_text(wrong)
    assert REFUSED in error_text(own_password)
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_staff_sign_in_at_the_admin_login(client, registrar):
    response = admin_sign_in(client, "songshan-registrar", "correct horse battery")

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(registrar.pk)


@pytest.mark.django_db
def test_the_admin_password_reset_mails_staff_only(client, registrar):
    get_user_model().objects.create_user(EMAIL, EMAIL, "Parent-pass-2026")

    client.post("/admin/password_reset/", {"email": EMAIL})
    client.post("/admin/password_reset/", {"email": registrar.email})

    assert [message.to for message in mail.outbox] == [[registrar.email]]


# No other way in ---------------------------------------------------------------------------


def url_patterns(patterns=None, prefix="/"):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from url_patterns(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern


def signs_in(view) -> bool:
    """A view that puts a user's session in place: Django's login view, or a reset that signs in."""
    view_class = getattr(view, "view_class", None)
    return view_class is not None and (
        issubclass(view_class, LoginView) or getattr(view_class, "post_reset_login", False)
    )


@pytest.mark.django_db
def test_no_login_url_but_the_two(client):
    named = sorted(
        path
        for path, pattern in url_patterns()
        if re.search(r"log_?in", f"{path} {pattern.name}", re.IGNORECASE)
    )
    served_sign_ins = {
        path: resolve(path).func.view_class
        for path, pattern in url_patterns()
        if signs_in(pattern.callback) and signs_in(resolve(path).func)
    }

    assert named == [
        "/_util/login/",  # Wagtail's front-end login, answered first by a redirect to /signin/
        "/_util/login/",
        "/admin/login/",
    ]
    assert list(served_sign_ins) == ["/admin/login/"]
    from binding_forms.accounts.two_factor import StaffLoginForm

    assert get_user_login_form() is StaffLoginForm
    assert resolve("/signin/").url_name == "signin"


@pytest.mark.django_db
def test_wagtails_front_end_login_leads_to_signin(client, xiaohua, home_page):
    plain = client.get("/_util/login/?next=/bind/")
    posted = client.post("/_util/login/", {"username": "313601-P108035", "password": "A234567893"})
    PageViewRestriction.objects.create(page=home_page, restriction_type="login")
    restricted = client.get("/")

    assert plain.status_code == 302 and plain["Location"] == "/signin/?next=/bind/"
    assert posted.status_code == 302 and posted["Location"].startswith("/signin/")
    assert restricted.status_code == 302 and restricted["Location"] == "/signin/?next=/"
    assert "_auth_user_id" not in client.session
    assert not Student.objects.filter(user__isnull=False).exists()


def test_editors_cannot_protect_pages_or_documents_with_a_shared_password(db):
    from wagtail.admin.forms.collections import CollectionViewRestrictionForm
    from wagtail.admin.forms.pages import PageViewRestrictionForm

    page_form = PageViewRestrictionForm(private_page_options=["password", "login", "groups"])
    collection_form = CollectionViewRestrictionForm()

    for form in (page_form, collection_form):
        assert "password" not in form.fields
        assert "password" not in dict(form.fields["restriction_type"].choices)
