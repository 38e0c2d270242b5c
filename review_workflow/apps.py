from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewWorkflowConfig(AppConfig):
    name = "review_workflow"
    verbose_name = _("School review")

    def ready(self):
        from review_workflow import checks, signal_handlers  # noqa: F401  (checks register)

        signal_handlers.connect()
