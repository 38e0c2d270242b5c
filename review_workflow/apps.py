from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewWorkflowConfig(AppConfig):
    name = "review_workflow"
    verbose_name = _("School review")

    def ready(self):
        from review_workflow import checks  # noqa: F401  (checks register)
        from review_workflow.mail import notifications

        notifications.connect()
