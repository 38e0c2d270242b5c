from django.core.management.base import BaseCommand, CommandError

from review_workflow.mail.outbox import mail_templates_restore
from review_workflow.mail.wording import MailKind


class Command(BaseCommand):
    help = (
        "Put the handbook's default wording back into notification mail templates (all, or the "
        "kinds named), creating any that were deleted."
    )

    def add_arguments(self, parser):
        parser.add_argument("kinds", nargs="*", metavar="KIND", help=", ".join(MailKind.values))

    def handle(self, *args, kinds, **options):
        if unknown := set(kinds) - set(MailKind.values):
            raise CommandError(f"Unknown kind: {', '.join(sorted(unknown))}")
        restored = mail_templates_restore(kinds=kinds or None)
        if options["verbosity"]:
            self.stdout.write(f"Restored: {', '.join(t.kind for t in restored)}")
