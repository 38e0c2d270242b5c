"""Test doubles of the mail provider: anymail's test backend, made to fail like an ESP does."""

from anymail.backends.test import EmailBackend as AnymailTestBackend
from anymail.exceptions import AnymailAPIError


class ProviderOutage:
    """How many more sends fail (shared by every backend instance of a test)."""

    failures_left = 0


class FlakyBackend(AnymailTestBackend):
    """Answers like a provider with an outage for ``ProviderOutage.failures_left`` sends, then
    sends as anymail's test backend does (into ``mail.outbox``)."""

    def post_to_esp(self, payload, message):
        if ProviderOutage.failures_left > 0:
            ProviderOutage.failures_left -= 1
            raise AnymailAPIError("Test API response 503 (Service Unavailable)", backend=self)
        return super().post_to_esp(payload, message)
