from django.core.management.base import BaseCommand

from review_workflow.mail.outbox import mail_retry_due


class Command(BaseCommand):
    help = (
        "Send again the notification mail that is due: failed with attempts left, or queued so "
        "long that its task was lost. Run it from cron every few minutes."
    )

    def handle(self, *args, **options):
        count = mail_retry_due()
        if options["verbosity"]:
            self.stdout.write(f"{count} mail queued for another attempt.")
