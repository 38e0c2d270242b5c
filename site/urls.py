from django.conf import settings
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import RedirectView
from django.views.i18n import set_language
from portal.health import healthz
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from home import translations
from home.views import binding_start
from review_workflow import site_history

# A database outage answers 503 with a page asking to retry (portal/errors.py).
handler500 = "portal.errors.server_error"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    *site_history.urlpatterns,  # before Wagtail's admin, which has the same paths
    *translations.urlpatterns,  # likewise
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    # Without CSRF: another site can at most switch a visitor's language (the next address is
    # still checked by Django), and the public pages carry no token so they can be cached.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path("captcha/", include("captcha.urls")),
    path("signin/", include("binding_forms.urls")),
    path("bind/", binding_start, name="binding_start"),
    path("me/", include("home.urls")),
    path("me/", include("review_workflow.parent_records.urls")),
    path("", include("review_workflow.single_sign_on.urls")),
    path("demo/payments/", include("home.demo_payments.urls")),
    # The mail provider's delivery events, secured by ANYMAIL["WEBHOOK_SECRET"] (basic auth).
    path("anymail/", include("anymail.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [
    # Wagtail's front-end login is Django's plain one (no captcha): /signin/ is the only way in.
    path("_util/login/", RedirectView.as_view(pattern_name="signin", query_string=True)),
    path("", include(wagtail_urls)),
]
