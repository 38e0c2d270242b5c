"""How ID numbers are kept: a keyed hash to match them, an encrypted copy to read them back.

Both keys are derived (HKDF-SHA256) from ``settings.PERSONAL_DATA_KEY``, a secret that lives only
in the environment, never in the database: a stolen database dump holds no ID number, and without
the key its digests cannot be brute-forced even though the ID space is small (about 5 × 10⁹).
"""

import base64
import hashlib
import hmac
import re
from functools import cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver


def _derive(purpose: bytes) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"taipei-binding-portal", info=purpose
    ).derive(settings.PERSONAL_DATA_KEY.encode())


@cache
def _digest_key() -> bytes:
    return _derive(b"id-number-digest")


@cache
def _fernet() -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_derive(b"id-number-encryption")))


@cache
def _sign_in_name_key() -> bytes:
    return _derive(b"sign-in-name-digest")


@receiver(setting_changed)
def _forget_keys(*, setting, **kwargs):
    if setting in {"PERSONAL_DATA_KEY", "SECRET_KEY"}:
        _digest_key.cache_clear()
        _fernet.cache_clear()
        _sign_in_name_key.cache_clear()


def id_number_digest(id_number: str) -> str:
    """HMAC-SHA256 of a normalised ID number (see ``normalize_tw_id``), as 64 hex digits."""
    return hmac.new(_digest_key(), id_number.encode(), hashlib.sha256).hexdigest()


def digests_match(id_number: str, digest: str) -> bool:
    return hmac.compare_digest(id_number_digest(id_number), digest)


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    """The plain value; raises ``ValueError`` for a token made with another key or tampered."""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as error:
        raise ValueError("The encrypted value cannot be read with the current key.") from error


def mask_id_number(id_number: str) -> str:
    """``A123456789`` → ``A12****789``: what a screen may show."""
    if len(id_number) < 7:
        return "*" * len(id_number)
    return f"{id_number[:3]}{'*' * (len(id_number) - 6)}{id_number[-3:]}"


def mask_encrypted_id_number(encrypted: str) -> str:
    """The mask of a stored (encrypted) ID number; stars when it cannot be read with this key."""
    if not encrypted:
        return ""
    try:
        return mask_id_number(decrypt(encrypted))
    except ValueError:
        return "**********"


# Anything shaped like a national ID or resident certificate number (old and new formats),
# checksum or not, in half- or full-width characters (a Chinese input method types Ａ１２３…).
_LETTER = "A-Za-zＡ-Ｚａ-ｚ"
_DIGIT = "0-9０-９"
_ID_IN_TEXT = re.compile(
    rf"(?<![{_LETTER}{_DIGIT}])[{_LETTER}][{_DIGIT}A-DＡ-Ｄa-dａ-ｄ][{_DIGIT}]{{8}}(?![{_DIGIT}])"
)


def mask_id_numbers(text: str) -> str:
    """Every ID number in free text masked (``A12****789``): the one function for what staff
    type (a registrar's comment, a revoke reason) before it is stored, and for mail."""
    return _ID_IN_TEXT.sub(lambda match: mask_id_number(match[0]), text)


def holds_id_number(text: str) -> bool:
    return _ID_IN_TEXT.search(text) is not None


def sign_in_name_digest(name: str) -> str:
    """A keyed digest of a sign-in name, as 25 decimal digits (so it never looks like an ID
    number itself): the same name always gives the same digits, different names different ones."""
    digest = hmac.new(_sign_in_name_key(), name.encode(), hashlib.sha256).digest()
    return f"{int.from_bytes(digest[:10]):025d}"
