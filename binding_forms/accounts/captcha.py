import secrets

from django.conf import settings


def digits_challenge() -> tuple[str, str]:
    """Digits only: no O/0 or I/1 to confuse, and easy for the audio version to read out."""
    digits = "".join(secrets.choice("23456789") for _ in range(settings.CAPTCHA_LENGTH))
    return digits, digits
