from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SingleSignOnConfig(AppConfig):
    name = "review_workflow.single_sign_on"
    label = "single_sign_on"  # its tables and migrations keep the name they were made with
    verbose_name = _("Single sign-on")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from review_workflow.single_sign_on import checks  # noqa: F401  (registers the system checks)
