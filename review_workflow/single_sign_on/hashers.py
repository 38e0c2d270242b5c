"""How a service's client secret is stored: salted, and fast to check.

A client secret is a long random machine secret, not a password a person chose: guessing it is
hopeless whatever the hash, so the stretching that protects passwords (PBKDF2 at Django's 1.5
million iterations) only made every token request cost seconds (benchmarks/sso.py: 0.6 token
requests a second). The admin's form refuses short or repetitive secrets
(``single_sign_on.forms``), so a few iterations keep a leaked table as useless as before.
"""

from django.contrib.auth.hashers import PBKDF2PasswordHasher

CLIENT_SECRET_HASHER = "pbkdf2_sha256_client_secret"  # noqa: S105 (a hasher's name)


class ClientSecretHasher(PBKDF2PasswordHasher):
    """PBKDF2-SHA256 with a random salt and few iterations, for high-entropy client secrets.

    Registered in PASSWORD_HASHERS after the password hashers (never the first: people's
    passwords keep Django's default) and named by django-oauth-toolkit's CLIENT_SECRET_HASHER.
    """

    algorithm = CLIENT_SECRET_HASHER
    iterations = 100
