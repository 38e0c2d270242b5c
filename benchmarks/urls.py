"""The portal's addresses, and the yardstick the speed benchmarks measure against: a bare Django
view, served by the same server through the same middleware, that reads nothing."""

from django.http import HttpResponse
from django.urls import include, path


def bare(request):
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [
    path("bench/bare/", bare),
    path("", include("portal.urls")),
]
