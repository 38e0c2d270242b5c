"""A registrar acts only on their own school's data: permissions by model, then by school."""

from django.db.models import Model, QuerySet
from wagtail.permission_policies import ModelPermissionPolicy

from binding_forms.models import School


def schools_of(user) -> QuerySet[School]:
    """The schools a staff member may manage: all for a superuser, else those they register."""
    if not user.is_active:
        return School.objects.none()
    if user.is_superuser:
        return School.objects.all()
    return School.objects.filter(registrars=user)


class SchoolScopedPermissionPolicy(ModelPermissionPolicy):
    """Django model permissions, narrowed to the schools the user is registrar of.

    ``school_path`` is the lookup from the model to its School (``"school"`` for a Student).
    """

    def __init__(self, model, *, school_path: str = "school", read_only: bool = False):
        super().__init__(model)
        self.school_path = school_path
        self.read_only = read_only

    def user_has_permission(self, user, action) -> bool:
        if self.read_only and action in {"add", "change", "delete"}:
            return False
        return super().user_has_permission(user, action)

    def _school_id(self, instance: Model) -> int:
        *relations, last = self.school_path.split("__")
        value = instance
        for part in relations:
            value = getattr(value, part)
        # The foreign key's column, not the School row: no query for the last step.
        return getattr(value, f"{last}_id")

    def user_has_permission_for_instance(self, user, action, instance) -> bool:
        return (
            self.user_has_permission(user, action)
            and schools_of(user).filter(pk=self._school_id(instance)).exists()
        )

    def instances_user_has_any_permission_for(self, user, actions) -> QuerySet:
        if not self.user_has_any_permission(user, actions):
            return self.model._default_manager.none()
        if user.is_superuser:
            return self.model._default_manager.all()
        return self.model._default_manager.filter(**{f"{self.school_path}__in": schools_of(user)})
