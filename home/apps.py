from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HomeConfig(AppConfig):
    name = "home"
    verbose_name = _("Portal home")

    def ready(self):
        from django.core import checks
        from portal.catalogs import catalogs_check
        from wagtail.admin.forms.models import register_form_field_override
        from wagtail.fields import RichTextField

        from home import signal_handlers
        from home.rich_text import RichTextFormField

        # Every rich text field in Wagtail's admin refuses what is not the editor's JSON.
        register_form_field_override(RichTextField, override={"form_class": RichTextFormField})

        # The Chinese pages need the compiled catalogs (portal.E001 when missing or stale).
        checks.register(catalogs_check, checks.Tags.translation)

        signal_handlers.connect()
