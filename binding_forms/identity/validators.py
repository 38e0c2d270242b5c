"""Normalise and check what parents type: Taiwan ID / resident certificate numbers and mobiles,
and the characters no field may hold.

Each ``normalize_*`` function returns the canonical form to store, or raises ``ValidationError``;
use them in a form's ``clean_<field>()`` so the stored value is always the normalised one.
"""

import re
import unicodedata

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# 內政部 letter codes. Not alphabetical: I, O, W, X, Y, Z were added after the others.
LETTER_CODES: dict[str, int] = {
    "A": 10, "B": 11, "C": 12, "D": 13, "E": 14, "F": 15, "G": 16, "H": 17, "I": 34,
    "J": 18, "K": 19, "L": 20, "M": 21, "N": 22, "O": 35, "P": 23, "Q": 24, "R": 25,
    "S": 26, "T": 27, "U": 28, "V": 29, "W": 32, "X": 30, "Y": 31, "Z": 33,
}  # fmt: skip

# Matched before upper-casing, with ASCII-only classes: "ı".upper() == "I" and \d takes
# Arabic-Indic digits, neither of which a government ID may contain.
_ID_FORMATS = (
    re.compile(r"[A-Za-z][12][0-9]{8}"),  # 身分證統一編號
    re.compile(r"[A-Za-z][89][0-9]{8}"),  # 新式統一證號 (2021)
    re.compile(r"[A-Za-z][A-Da-d][0-9]{8}"),  # 舊式統一證號 (居留證)
)
# The check digit has weight 1, like the units digit of the letter code.
_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 1, 1)

# phonenumbers reads letters as keypad digits ("0912-ABC-678" is valid to it) and keeps
# extensions ("ext 12"); allow only what people write between digits.
_MOBILE_CHARS = re.compile(r"[0-9+() .-]+")
_TW_MOBILE = re.compile(r"09[0-9]{8}")


# Control characters (NUL, ESC, tab, line breaks…) and lone surrogates: typed by nobody, pasted
# or forged. PostgreSQL's JSON column refuses NUL (a draft could not be saved), XLSX exports and
# mail headers refuse the rest; no one-line field of a parent form may hold them.
_UNSTORABLE_CATEGORIES = frozenset({"Cc", "Cs"})


def has_control_characters(value: str) -> bool:
    return any(unicodedata.category(char) in _UNSTORABLE_CATEGORIES for char in value)


def without_control_characters(value: str) -> str:
    """``value`` with every character ``reject_control_characters`` refuses left out."""
    return "".join(c for c in value if unicodedata.category(c) not in _UNSTORABLE_CATEGORIES)


def reject_control_characters(value: str) -> None:
    """A validator for one-line text: no control characters, NUL included."""
    if has_control_characters(str(value)):
        raise ValidationError(
            _(
                "This field may not hold invisible control characters (they come with some "
                "copied text). Check the field and send it again."
            ),
            code="control_characters",
        )


def _clean(value: str) -> str:
    # NFKC folds full-width "Ａ１２" and the ideographic space to ASCII.
    return unicodedata.normalize("NFKC", value).strip()


def normalize_tw_id(value: str) -> str:
    """Return the upper-case national ID or resident certificate number in ``value``."""
    cleaned = _clean(value)
    if not any(pattern.fullmatch(cleaned) for pattern in _ID_FORMATS):
        raise ValidationError(
            _("Enter a valid national ID or resident certificate number."), code="invalid_format"
        )
    cleaned = cleaned.upper()
    tens, units = divmod(LETTER_CODES[cleaned[0]], 10)
    second = cleaned[1]
    # Old resident certificates: the gender letter counts as the units digit of its code.
    digits = [LETTER_CODES[second] % 10 if second.isalpha() else int(second)]
    digits += [int(char) for char in cleaned[2:]]
    total = tens + 9 * units + sum(w * d for w, d in zip(_WEIGHTS, digits, strict=True))
    if total % 10:
        raise ValidationError(
            _("The check digit of this ID number is wrong."), code="invalid_checksum"
        )
    return cleaned


def normalize_tw_mobile(value: str) -> str:
    """Return the Taiwan mobile number in ``value`` as ten digits, ``09XXXXXXXX``."""
    error = ValidationError(
        _("Enter a Taiwan mobile number, e.g. 0912345678."), code="invalid_mobile"
    )
    cleaned = _clean(value)
    if not _MOBILE_CHARS.fullmatch(cleaned):
        raise error
    try:
        number = phonenumbers.parse(cleaned, "TW")
    except phonenumbers.NumberParseException:
        raise error from None
    # "+81 90…" is a valid mobile too, in Japan: the country must be Taiwan's.
    if (
        number.country_code != 886
        or phonenumbers.number_type(number) != phonenumbers.PhoneNumberType.MOBILE
        or not phonenumbers.is_valid_number(number)
    ):
        raise error
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    digits = re.sub(r"[^0-9]", "", national)
    if not _TW_MOBILE.fullmatch(digits):  # belt and braces: never store another shape
        raise error
    return digits
