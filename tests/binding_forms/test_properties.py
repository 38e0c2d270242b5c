"""Property-based tests of every form a parent fills in, and of the validators behind them.

Whatever is typed — NUL and other control characters, over-long values, full-width characters and
rare CJK (𠮷 堃 峯), HTML, template and SQL payloads — a form answers with a page, never a 500;
nothing typed is lost (a draft keeps it as typed, or an error beside the field says why not);
and nothing typed comes back unescaped. They run on SQLite and on PostgreSQL, which refuses what
SQLite keeps (NUL in a JSON column, a value longer than its column).

Each example runs in a savepoint that is rolled back, so examples do not see each other's
applications, sign-in failures or lockouts. The number of examples is the profile's
(tests/binding_forms/conftest.py): modest, for two cores.
"""

import re
import unicodedata

import pytest
from captcha.models import CaptchaStore
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from binding_forms.binding.forms import (
    EMAIL_MAX_LENGTH,
    NAME_MAX_LENGTH,
    ApplicantForm,
    ConsentForm,
    EmailCodeForm,
)
from binding_forms.identity.validators import (
    has_control_characters,
    normalize_tw_id,
    normalize_tw_mobile,
)
from binding_forms.models import Applicant, Application
from binding_forms.reviewed_forms.services import submission_draft_values
from tests.binding_forms.test_wizard import applicants_post, url, walk_to_applicants
from tests.factories import FATHER

# Markers that must never come back as markup: escaped, they are harmless text.
MARKUP = ['<script>alert("x")</script>', '"><img src=x onerror=alert(1)>']
PAYLOADS = [
    *MARKUP,
    "'; DROP TABLE binding_forms_application; --",
    "' OR '1'='1",
    "{{ request.user }}",
    "{% debug %}",
    "%(email)s",
    "\x00",
    "\x1b[31m",
    "\u202e",
    "\r\n",
    "𠮷",
    "堃",
    "峯",
    "陳大名",
    "Ａ１２３４５６７８９",
    "０９１２３４５６７８",
    "ｐ１０８０３５",
    "Ａ１２３＠ｅｘａｍｐｌｅ．ｃｏｍ",
]
# Anything HTTP can carry (UTF-8: no lone surrogates), payloads mixed in, and over-long values.
TEXT = st.text(st.characters(codec="utf-8"), max_size=12)
VALUES = st.one_of(
    st.lists(st.one_of(st.sampled_from(PAYLOADS), TEXT), max_size=4).map("".join),
    st.text(st.characters(codec="utf-8"), min_size=95, max_size=400),
    st.text("陳𠮷堃峯ａＡ１", min_size=95, max_size=160),
)


def maybe(valid: str):
    return st.one_of(st.just(valid), VALUES)


# Addresses every email field's validator accepts, of any length up to 320 (the user name holds
# 150, the columns 254, django-axes' records 255).
LONG_EMAILS = st.builds(
    lambda local, labels, case: (
        (f"{local}@" + ".".join(labels) + ".tw").upper()
        if case
        else f"{local}@" + ".".join(labels) + ".tw"
    ),
    st.text("abcdefghijklmnopqrstuvwxyz0123456789.-_", min_size=1, max_size=64).filter(
        lambda local: not local.startswith(".") and not local.endswith(".") and ".." not in local
    ),
    st.lists(
        st.text("abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=63), min_size=1, max_size=4
    ),
    st.booleans(),
)


def maybe_email(valid: str):
    return st.one_of(maybe(valid), LONG_EMAILS)


def in_a_savepoint(check):
    """Run one example and roll back what it wrote."""
    with transaction.atomic():
        check()
        transaction.set_rollback(True)


def assert_escaped(response) -> str:
    html = response.content.decode()
    for marker in MARKUP:
        assert marker not in html
    return html


def error_beside(html: str, field_id: str) -> bool:
    return f'id="{field_id}-error"' in html


# The validators --------------------------------------------------------------------------------


@given(st.text(st.characters(), max_size=30))
def test_an_id_number_is_normalised_or_refused(value):
    try:
        normalized = normalize_tw_id(value)
    except ValidationError:
        return
    assert re.fullmatch(r"[A-Z][12894A-D][0-9]{8}", normalized)
    assert normalize_tw_id(normalized) == normalized


@st.composite
def valid_ids(draw):
    from binding_forms.identity.validators import LETTER_CODES

    letter = draw(st.sampled_from(sorted(LETTER_CODES)))
    body = draw(st.sampled_from("1289")) + "".join(
        draw(st.lists(st.sampled_from("0123456789"), min_size=7, max_size=7))
    )
    for check in "0123456789":
        try:
            return normalize_tw_id(letter + body + check)
        except ValidationError:
            continue
    raise AssertionError("one check digit fits")


@given(valid_ids(), st.booleans(), st.sampled_from(["", " ", "\u3000"]))
def test_an_id_number_in_full_width_or_lower_case_is_the_same_number(id_number, lower, space):
    typed = id_number.lower() if lower else id_number
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in typed)
    assert normalize_tw_id(space + full_width + space) == id_number


@given(st.text(st.characters(), max_size=30))
def test_a_mobile_is_normalised_or_refused(value):
    try:
        normalized = normalize_tw_mobile(value)
    except ValidationError:
        return
    assert re.fullmatch(r"09[0-9]{8}", normalized)
    assert normalize_tw_mobile(normalized) == normalized


# The applicant form, directly: what it accepts fits everywhere it goes -------------------------


@given(
    st.fixed_dictionaries(
        {
            "name": maybe(FATHER["name"]),
            "relationship": st.one_of(st.just("父女"), VALUES),
            "id_number": maybe(FATHER["id_number"]),
            "mobile": maybe(FATHER["mobile"]),
            "email": maybe_email(FATHER["email"]),
        }
    ),
    # Surrogates and every other code point: forms get more than HTTP sends.
    st.sampled_from(["name", "id_number", "mobile", "email"]),
    st.text(st.characters(), max_size=6),
)
def test_what_the_applicant_form_accepts_fits_the_database_and_the_parent_account(
    data, field, extra
):
    data = {**data, field: data[field] + extra}
    form = ApplicantForm(data, relationships=["父女", "母女"])
    if not form.is_valid():
        assert form.errors
        return
    cleaned = form.cleaned_data
    assert not any(has_control_characters(value) for value in cleaned.values())
    assert 0 < len(cleaned["name"]) <= NAME_MAX_LENGTH
    assert unicodedata.is_normalized("NFC", cleaned["name"])
    assert len(cleaned["email"]) <= EMAIL_MAX_LENGTH
    assert cleaned["email"] == cleaned["email"].lower()
    assert re.fullmatch(r"09[0-9]{8}", cleaned["mobile"])
    assert len(cleaned["id_number"]) == 10


@given(st.one_of(VALUES, st.sampled_from(["agreed", "refused"])))
def test_the_consent_form_takes_only_its_two_choices(choice):
    class Page:
        consent_agree_label, consent_refuse_label = "本人同意", "本人不同意"

    form = ConsentForm({"choice": choice}, page=Page())
    assert form.is_valid() == (choice in ("agreed", "refused"))


@given(st.one_of(VALUES, st.text("0123456789０１２３４５６７８９", min_size=1, max_size=6)))
def test_an_email_code_is_read_in_ascii_digits_whatever_the_keyboard(code):
    form = EmailCodeForm({"code": code})
    if form.is_valid() and re.fullmatch(r"[0-9０-９]+", code):
        assert form.cleaned_data["code"] == unicodedata.normalize("NFKC", code)
        assert form.cleaned_data["code"].isascii()


# The wizard's steps, POSTed through the real views ---------------------------------------------
# A fixture runs once a test, before its examples: the steps the examples start from.

APPLICANT_FIELDS = ("name", "id_number", "mobile", "email")


@pytest.fixture
def at_applicants(parent_client, wizard, xiaohua):
    walk_to_applicants(parent_client, wizard)
    return parent_client


@pytest.fixture
def at_codes(at_applicants, wizard):
    wizard.verify_email = True
    wizard.save_revision().publish()
    at_applicants.post(url(wizard, "applicants"), applicants_post())
    return at_applicants


@pytest.fixture
def parent_account_client(client, xiaohua):
    client.force_login(get_user_model().objects.create_user("alle@schoolsoft.com.tw"))
    return client


@pytest.fixture
def first_password_client(client, xiaohua):
    user = get_user_model().objects.create_user("313601-P108035", password_change_required=True)
    client.force_login(user)
    return client


@pytest.mark.django_db
@given(
    first=st.fixed_dictionaries(
        {
            "name": maybe(FATHER["name"]),
            "relationship": st.one_of(st.just(FATHER["relationship"]), VALUES),
            "id_number": maybe(FATHER["id_number"]),
            "mobile": maybe(FATHER["mobile"]),
            "email": maybe_email(FATHER["email"]),
        }
    ),
    application_type=st.one_of(st.sampled_from(["0", "1", "2", "3"]), VALUES),
    action=st.sampled_from(["save", "submit"]),
)
def test_the_applicants_step_keeps_what_was_typed_or_says_why_beside_the_field(
    at_applicants, wizard, first, application_type, action
):
    def check():
        response = at_applicants.post(
            url(wizard, "applicants"),
            applicants_post(application_type, first, action=action),
        )
        assert response.status_code in (200, 302)
        html = assert_escaped(response) if response.status_code == 200 else ""
        if response.status_code == 302 and response["Location"].endswith("/done/"):
            applicant = Applicant.objects.get()  # sent: as typed, normalised
            assert applicant.name == unicodedata.normalize("NFC", first["name"].strip())
            assert applicant.email == first["email"].strip().lower()
            return
        application = Application.objects.get()
        draft = submission_draft_values(submission=application)["applicant1"]
        for name in APPLICANT_FIELDS:
            if draft[name] != first[name].strip():
                assert error_beside(html, f"id_applicant1-{name}"), name
        if response.status_code == 302:  # 暫存 said nothing: all was kept as typed
            assert response["Location"].endswith("/applicants/")
        shown = at_applicants.get(url(wizard, "applicants"))  # the draft, on the next device
        assert shown.status_code == 200
        assert_escaped(shown)

    in_a_savepoint(check)


def answers(client, path: str, data: dict, statuses=(200, 302), then=lambda: None):
    """POST ``data`` in a savepoint: a page (or a redirect), never a 500, nothing unescaped;
    ``then`` checks what it left before it is rolled back."""

    def check():
        response = client.post(path, data)
        assert response.status_code in statuses
        assert_escaped(response)
        then()

    in_a_savepoint(check)


# Sign-in fails answer a page; a lockout (django-axes) answers 429.
SIGN_IN_STATUSES = (200, 302, 403, 429)


@pytest.mark.django_db
@given(action=st.one_of(st.sampled_from(["confirm", "save", "next"]), VALUES))
def test_the_student_step_answers_any_action(parent_client, wizard, xiaohua, action):
    answers(parent_client, url(wizard, "student"), {"action": action})


@pytest.mark.django_db
@given(choice=st.one_of(st.sampled_from(["agreed", "refused"]), VALUES))
def test_the_consent_step_answers_any_choice(parent_client, wizard, xiaohua, choice):
    parent_client.post(url(wizard, "student"), {"action": "confirm"})
    answers(parent_client, url(wizard, "consent"), {"choice": choice})


@pytest.mark.django_db
@given(codes=st.lists(VALUES, min_size=1, max_size=2), action=st.sampled_from(["verify", "resend"]))
def test_the_code_step_answers_any_code(at_codes, wizard, codes, action):
    data = {f"code{index}-code": code for index, code in enumerate(codes)}

    def nothing_guessed():
        assert Application.objects.get().submitted_at is None

    answers(at_codes, url(wizard, "verify"), {**data, "action": action}, then=nothing_guessed)


@pytest.mark.django_db
@given(
    school=st.one_of(st.just("SCHOOL"), VALUES, st.integers().map(str)),
    account=maybe("P108035"),
    password=maybe("A234567893"),
)
def test_the_child_step_answers_anything(
    parent_account_client, wizard, xiaohua, school, account, password
):
    school = str(xiaohua.school_id) if school == "SCHOOL" else school
    data = {"school": school, "account": account, "password": password}
    answers(parent_account_client, url(wizard, "child"), data, SIGN_IN_STATUSES)


# Sign-in forms (the sign-in session's): only tests here ----------------------------------------


def captcha() -> dict:
    key = CaptchaStore.generate_key()
    return {"captcha_0": key, "captcha_1": CaptchaStore.objects.get(hashkey=key).response}


@pytest.mark.django_db
@given(
    tab=st.sampled_from(["student", "parent"]),
    school=st.one_of(st.just("SCHOOL"), VALUES, st.integers().map(str)),
    account=maybe("P108035"),
    email=maybe("alle@schoolsoft.com.tw"),
    password=maybe("A234567893"),
)
def test_the_sign_in_page_answers_anything(client, xiaohua, tab, school, account, email, password):
    school = str(xiaohua.school_id) if school == "SCHOOL" else school
    data = {"tab": tab, "school": school, "account": account, "email": email, "password": password}
    answers(client, reverse("signin"), {**data, **captcha()}, SIGN_IN_STATUSES)


# Found by these tests: the parent tab's email field accepted 320 characters, and django-axes
# records a failure under the name (255 on PostgreSQL) — a 500 there until the field was capped.
OVER_LONG_EMAIL = "a" * 64 + "@" + ("b" * 60 + ".") * 3 + "c" * 50 + ".tw"


@pytest.mark.django_db
def test_an_over_long_email_at_the_parent_sign_in_answers_a_page(client):
    data = {"tab": "parent", "email": OVER_LONG_EMAIL, "password": "wrong", **captcha()}
    answers(client, reverse("signin"), data, SIGN_IN_STATUSES)


@pytest.mark.django_db
@given(new_password=VALUES, again=st.booleans())
def test_the_first_password_change_answers_anything(first_password_client, new_password, again):
    data = {"new_password1": new_password, "new_password2": new_password if again else "x"}
    answers(first_password_client, reverse("password_first_change"), data)


@pytest.mark.django_db
@given(email=maybe_email("alle@schoolsoft.com.tw"))
def test_the_password_reset_form_answers_anything(client, email):
    answers(client, reverse("password_reset"), {"email": email})
