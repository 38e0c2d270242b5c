"""Sign-in names. Student accounts are (school, ``P`` + student number), first password the
child's ID number; parents sign in with their email; staff with the name the admin gave them.

Every entrance — the two tabs of ``/signin/``, the admin's login, django-axes — reads a sign-in
name through ``sign_in_name``: ``ALLE@…``, ``alle@…`` and full-width ``ａｌｌｅ@…`` are one
account, counted once by the lockout.
"""

import re
import unicodedata

from django.contrib.auth import get_user_model

from binding_forms.identity.personal_data import (
    holds_id_number,
    mask_id_numbers,
    sign_in_name_digest,
)

# Student numbers are digits (108035, 10301123): an account can then never hold an ID number,
# which starts with a letter, and is safe to log and to count failures by.
ACCOUNT_PATTERN = re.compile(r"P([0-9]{1,20})")
_STUDENT_NAME = re.compile(r"([0-9]+)-[Pp]([0-9]{1,20})")  # school code - account


def sign_in_name(value: str | None) -> str:
    """The one form of a sign-in name: full-width folded (NFKC), trimmed, lower case; a student
    account's as it is stored (``313601-P108035``)."""
    name = unicodedata.normalize("NFKC", value or "").strip()
    if match := _STUDENT_NAME.fullmatch(name):
        return student_username(match[1], f"P{match[2]}")
    return name.lower()


def sign_in_name_recorded(value: str | None) -> str:
    """The sign-in name as logs and lockout records keep it: ``sign_in_name``, except that a
    name holding an ID number (typed by mistake, or an email made of one) becomes ``id:`` and a
    keyed digest of the whole name. A mask (``A12****789``) would put different people's IDs in
    one lockout count; the digest keeps one count per name and shows no ID."""
    name = sign_in_name(value)
    return f"id:{sign_in_name_digest(name)}" if holds_id_number(name) else name


def axes_username(request, credentials: dict | None) -> str | None:
    """``AXES_USERNAME_CALLABLE``: what django-axes counts failures by and stores."""
    if credentials:
        value = credentials.get("username")
    else:
        value = getattr(request, "POST", {}).get("username")
    return sign_in_name_recorded(value) if value else None


def user_by_sign_in_name(value: str | None):
    """The user signing in with ``value``, compared in ``sign_in_name`` form; None when there is
    none, or when several names differ only in case and none is written exactly so."""
    name = sign_in_name(value)
    if not name:
        return None
    users = list(get_user_model()._default_manager.filter(username__iexact=name)[:5])
    if len(users) > 1:
        users = [user for user in users if user.username == name]
    return users[0] if len(users) == 1 else None


def normalize_account(value: str) -> str | None:
    """``p108035`` or full-width ``Ｐ１０８０３５`` → ``P108035``; None if it is not P + number."""
    account = unicodedata.normalize("NFKC", value or "").strip().upper()
    return account if ACCOUNT_PATTERN.fullmatch(account) else None


def student_username(moe_code: str, account: str) -> str:
    """The sign-in name a student account has inside the system: unique across the city."""
    return f"{moe_code}-{account}"


def parse_student_username(username: str) -> tuple[str, str] | None:
    """``313601-P108035`` (in any case or width) → (``313601``, ``108035``); None for any other
    sign-in name."""
    match = _STUDENT_NAME.fullmatch(sign_in_name(username))
    return (match[1], match[2]) if match else None


def signed_in_label(user) -> str:
    """Who the page header says is signed in: a student account as ``P108035`` and the child's
    name (given to the account when it was made), a parent by name, else by email; never an ID
    number, even one inside an email. Read from the user row alone: no query."""
    parsed = parse_student_username(user.get_username())
    if parsed is not None:
        label = f"P{parsed[1]} {user.first_name}".strip()
    else:
        label = user.get_full_name() or user.email or user.get_username()
    return mask_id_numbers(label)
