from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BindingFormsConfig(AppConfig):
    name = "binding_forms"
    verbose_name = _("Parent–child binding")

    def ready(self):
        from binding_forms import signal_handlers
        from binding_forms.letters import checks  # noqa: F401  (registers the font check)

        signal_handlers.connect()
