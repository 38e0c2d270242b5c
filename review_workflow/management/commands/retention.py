"""Run the retention rules (PDPA Art. 11) from cron: see review_workflow/services/retention.py."""

from django.core.management.base import BaseCommand

from review_workflow.services.retention import retention_run


class Command(BaseCommand):
    help = (
        "End the links of students who left school (mailing each parent), delete parent accounts "
        "with no active link, drop encrypted ID numbers past their purpose (applicants' after "
        "the decision's period, parent accounts' once the first password cannot be used) and "
        "delete abandoned drafts. Prints counts only."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Show the counts that would change; change nothing.",
        )

    def handle(self, *args, dry_run=False, **options):
        counts = retention_run(dry_run=dry_run)
        self.stdout.write("dry run: nothing changed; counts of what would" if dry_run else "done")
        for name, value in vars(counts).items():
            self.stdout.write(f"  {name}={value}")
