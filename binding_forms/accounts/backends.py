from django.contrib.auth import get_user_model
from django.contrib.auth.backends import BaseBackend, ModelBackend
from django.core.exceptions import ValidationError
from django.db import transaction

from binding_forms.accounts.sign_in_name import (
    parse_student_username,
    student_username,
    user_by_sign_in_name,
)
from binding_forms.identity.personal_data import digests_match, id_number_digest
from binding_forms.identity.validators import normalize_tw_id
from binding_forms.models import Student


class StudentFirstPasswordBackend(BaseBackend):
    """Signs a student account in with its first password, the child's national ID number.

    Checked against the registry's keyed digest, so a roster import need not run the slow
    password hasher 120,000 times. Once the parent has chosen a new password it is an ordinary
    Django password (SignInNameBackend); a registrar's reset returns the account to this state.
    """

    def authenticate(self, request, username=None, password=None, staff_only=False, **kwargs):
        parsed = parse_student_username(username)
        if parsed is None or not password or staff_only:
            return None
        moe_code, number = parsed
        student = (
            Student.objects.select_related("user")
            .filter(school__moe_code=moe_code, student_number=number, enrolled=True)
            .first()
        )
        try:
            candidate = normalize_tw_id(password)
        except ValidationError:
            candidate = password
        if student is None:
            id_number_digest(candidate)  # the same work as a real check: no timing oracle
            return None
        if student.user is not None and student.user.has_usable_password():
            return None  # the first password is spent; SignInNameBackend checks the new one
        if not digests_match(candidate, student.id_number_digest):
            return None
        user = student.user or self._create_account(student, moe_code)
        return user if self.user_can_authenticate(user) else None

    @transaction.atomic
    def _create_account(self, student: Student, moe_code: str):
        # get_or_create: two first sign-ins at once (two tabs, a double click) make one account.
        user, created = get_user_model().objects.get_or_create(
            username=student_username(moe_code, f"P{student.student_number}"),
            defaults={"first_name": student.name, "password_change_required": True},
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        Student.objects.filter(pk=student.pk).update(user=user)
        student.user = user
        return user

    def user_can_authenticate(self, user) -> bool:
        return getattr(user, "is_active", True)

    def get_user(self, user_id):
        return get_user_model().objects.filter(pk=user_id, is_active=True).first()


class SignInNameBackend(ModelBackend):
    """Django's password check, with the sign-in name read as every entrance reads it
    (``sign_in_name``: case and width do not matter), and an entrance for staff only.

    ``staff_only`` (the admin's login) accepts only users who may use the admin. Anyone else gets
    the answer of a wrong password, after the same hashing work: nobody learns there whether a
    parent's or a student's password was right, and django-axes counts it as a failure.
    """

    def authenticate(self, request, username=None, password=None, staff_only=False, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if username is None or password is None:
            return None
        user = user_by_sign_in_name(username)
        if user is None or (staff_only and not user.has_perm("wagtailadmin.access_admin")):
            get_user_model()().set_password(password)  # Django's defence against timing
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
