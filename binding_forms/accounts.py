"""Student accounts: (school, ``P`` + student number), first password the child's ID number."""

import re
import unicodedata

# Student numbers are digits (108035, 10301123): an account can then never hold an ID number,
# which starts with a letter, and is safe to log and to count failures by.
ACCOUNT_PATTERN = re.compile(r"P([0-9]{1,20})")


def normalize_account(value: str) -> str | None:
    """``p108035`` or full-width ``Ｐ１０８０３５`` → ``P108035``; None if it is not P + number."""
    account = unicodedata.normalize("NFKC", value or "").strip().upper()
    return account if ACCOUNT_PATTERN.fullmatch(account) else None


def student_username(moe_code: str, account: str) -> str:
    """The sign-in name a student account has inside the system: unique across the city."""
    return f"{moe_code}-{account}"


def parse_student_username(username: str) -> tuple[str, str] | None:
    """``313601-P108035`` → (``313601``, ``108035``); None for any other sign-in name."""
    moe_code, _, account = (username or "").partition("-")
    match = ACCOUNT_PATTERN.fullmatch(account)
    if not (moe_code.isdigit() and match):
        return None
    return moe_code, match.group(1)
