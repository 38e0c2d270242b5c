import hmac

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import BaseBackend
from django.utils import timezone

from binding_forms.accounts.sign_in_name import user_by_sign_in_name


class ParentFirstPasswordBackend(BaseBackend):
    """Signs a new parent account in with its first password, the last six digits of the
    applicant's ID number (the handbook's rule), until the parent sets their own or it expires.

    Checked against the encrypted copy of the ID, so approving 500 applications does not run the
    slow password hasher for each parent. Once the parent has chosen a password, SignInNameBackend
    checks it and this backend steps aside.
    """

    def authenticate(self, request, username=None, password=None, staff_only=False, **kwargs):
        if not username or not password or staff_only:
            return None
        user = user_by_sign_in_name(username)
        account = getattr(user, "parent_account", None) if user is not None else None
        if (
            account is None
            or user.has_usable_password()
            or not user.password_change_required
            or account.first_password_expires_at is None
            or account.first_password_expires_at <= timezone.now()
        ):
            return None
        try:
            last_six = account.id_number_revealed()[-6:]
        except ValueError:
            return None
        if not hmac.compare_digest(password.strip().encode(), last_six.encode()):
            return None
        return user if getattr(user, "is_active", True) else None

    def get_user(self, user_id):
        return get_user_model().objects.filter(pk=user_id, is_active=True).first()
