from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from binding_forms.accounts.two_factor import two_factor_reset


class Command(BaseCommand):
    help = (
        "Forget a staff member's authenticator app and backup codes (a lost phone): they set "
        "up two-factor sign-in again at their next sign-in to the admin."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        User = get_user_model()
        try:
            user = User.objects.get(**{User.USERNAME_FIELD: username})
        except User.DoesNotExist as error:
            raise CommandError(f"No user {username!r}.") from error
        two_factor_reset(user=user)
        self.stdout.write(f"{username}: two-factor sign-in reset; they enrol at the next sign-in.")
