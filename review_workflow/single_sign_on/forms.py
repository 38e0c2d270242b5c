"""The admin's form for a city service: a typed client secret must be as hard to guess as a
generated one, because it is stored with a fast hash (single_sign_on.hashers)."""

from django import forms
from django.contrib.auth.hashers import identify_hasher
from django.utils.translation import gettext_lazy as _

from review_workflow.single_sign_on.models import ServiceApplication

# A generated secret is 128 characters of 62 kinds; a typed one needs at least 32 characters
# with 16 different ones (above 128 bits even from lowercase letters and digits alone).
SECRET_MIN_LENGTH = 32
SECRET_MIN_DISTINCT = 16


class ServiceApplicationForm(forms.ModelForm):
    """Leaves the generated secret (the default) or the stored hash as they are; refuses a typed
    secret that is short or repetitive, and a hash typed in place of a secret."""

    def clean(self):
        cleaned_data = super().clean()
        secret = cleaned_data.get("client_secret", "")
        public = cleaned_data.get("client_type") == ServiceApplication.CLIENT_PUBLIC
        if self.instance.pk and secret == self.instance.client_secret:
            return cleaned_data  # the stored hash, unchanged
        if public and not secret:
            return cleaned_data  # a public client (an app in the browser) has no secret
        if _is_hash(secret) or _guessable(secret):
            self.add_error("client_secret", self._weak_secret())
        return cleaned_data

    @staticmethod
    def _weak_secret() -> forms.ValidationError:
        return forms.ValidationError(
            _(
                "A client secret must be at least %(length)d characters with at least "
                "%(distinct)d different ones; leave the generated secret if unsure."
            ),
            code="weak_client_secret",
            params={"length": SECRET_MIN_LENGTH, "distinct": SECRET_MIN_DISTINCT},
        )


def _is_hash(secret: str) -> bool:
    try:
        identify_hasher(secret)
    except ValueError:
        return False
    return True


def _guessable(secret: str) -> bool:
    return len(secret) < SECRET_MIN_LENGTH or len(set(secret)) < SECRET_MIN_DISTINCT
