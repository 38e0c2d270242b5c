from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.permissions import register_permission_policy

from binding_forms.models import Student
from binding_forms.registry import admin as registry_admin  # noqa: F401  (registers the city registry)
from binding_forms.registry.scope import SchoolScopedPermissionPolicy
from binding_forms.registry.viewsets import StudentViewSet

# Students come from the registry system's roster: nobody edits them here, not even a superuser.
register_permission_policy(Student, SchoolScopedPermissionPolicy(Student, read_only=True))


@hooks.register("register_admin_viewset")
def register_student_viewset():
    return StudentViewSet("student")


@hooks.register("register_log_actions")
def register_student_log_actions(actions):
    actions.register_action(
        "binding_forms.reset_password",
        _("Reset password"),
        _("Reset the student account's password to the first password"),
    )
    actions.register_action(
        "binding_forms.letter_printed",
        _("Binding letter printed"),
        _("Printed a binding letter; the student's older letters are void"),
    )
    actions.register_action(
        "binding_forms.letter_used",
        _("Binding letter used"),
        _("Signed in with the binding letter: it reached the family"),
    )
