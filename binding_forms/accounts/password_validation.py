from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from binding_forms.identity.validators import normalize_tw_id


class NotIdentityValidator:
    """A new password must not be an ID number, the student number or the old password.

    The first passwords are identity data (the child's ID number, a parent's ID digits) that
    other people may know; keeping them, or the student number, defeats the forced change.
    """

    def validate(self, password: str, user=None) -> None:
        try:
            normalize_tw_id(password)
        except ValidationError:
            pass
        else:
            raise ValidationError(
                _("Your password must not be an ID number."), code="password_is_id_number"
            )
        if user is None:
            return
        student = getattr(user, "student", None) if user.pk else None
        typed = password.strip().upper().removeprefix("P")
        if student is not None and typed == student.student_number.upper():
            raise ValidationError(
                _("Your password must not be the student number."),
                code="password_is_student_number",
            )
        if user.pk and user.has_usable_password() and user.check_password(password):
            raise ValidationError(
                _("Your new password must differ from the old one."), code="password_unchanged"
            )

    def get_help_text(self) -> str:
        return _("Your password must not be an ID number, the student number or the old password.")
