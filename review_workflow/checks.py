from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def check_webhook_secret(app_configs, **kwargs):
    """The tracking webhook (/anymail/) changes what registrars see: only the provider may post."""
    if getattr(settings, "ANYMAIL", {}).get("WEBHOOK_SECRET"):
        return []
    return [
        Warning(
            "ANYMAIL_WEBHOOK_SECRET is not set: anyone can post delivery events to /anymail/.",
            hint="Set ANYMAIL_WEBHOOK_SECRET to 'user:password' and give the mail provider the "
            "webhook URL with those credentials.",
            id="review_workflow.W001",
        )
    ]
