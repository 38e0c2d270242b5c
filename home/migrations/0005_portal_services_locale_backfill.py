# Wagtail's recipe for a model made translatable: every existing service is in the source
# language (LANGUAGE_CODE, zh-Hant), each its own translation key.

from django.db import migrations
from wagtail.models import BootstrapTranslatableModel


class Migration(migrations.Migration):
    dependencies = [
        ("home", "0004_portal_services_translatable"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [BootstrapTranslatableModel("home.PortalService")]
