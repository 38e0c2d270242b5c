"""THE rule for a ``next`` URL: followed only when it stays on this site."""

from django.utils.http import url_has_allowed_host_and_scheme


def safe_next_url(request, *, default: str, candidate: str | None = None) -> str:
    """``candidate`` (else the request's ``next``, POST before GET) when it points to this host,
    and to https when the request came over https; ``default`` otherwise."""
    if candidate is None:
        candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default
