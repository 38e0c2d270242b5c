"""Who acts on which school's data: the one scope rule, and the permission policy built on it."""

from django.db.models import Model, QuerySet
from wagtail.permission_policies import ModelPermissionPolicy

from binding_forms.models import School


def school_ids_served_by(user) -> frozenset[int]:
    """THE school-scope rule: the schools whose data ``user`` may see and act on.

    Every school for a superuser, the schools they are registrar of for anyone else, none for an
    inactive or anonymous user. Read once per request (cached on the user object). The only
    reader of ``School.registrars`` outside the forms that edit it: widening who serves a school
    (e.g. to other offices) changes this function alone.
    """
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    if (cached := getattr(user, "_school_ids_served", None)) is None:
        schools = (
            School.objects.all() if user.is_superuser else School.objects.filter(registrars=user)
        )
        cached = frozenset(schools.values_list("pk", flat=True))
        user._school_ids_served = cached
    return cached


def serves_every_school(user) -> bool:
    """Whether ``user`` acts on every school's rows, and on rows of no school: lets callers skip
    filtering (and the query of every school's id)."""
    return user.is_authenticated and user.is_active and user.is_superuser


def serves_school(user, school_id: int | None) -> bool:
    """Whether ``user`` may act on a row of the school ``school_id`` (no school: superusers)."""
    if serves_every_school(user):
        return True
    return school_id is not None and school_id in school_ids_served_by(user)


def schools_served_by(user) -> QuerySet[School]:
    """``school_ids_served_by`` as a queryset of schools."""
    if serves_every_school(user):
        return School.objects.all()
    return School.objects.filter(pk__in=school_ids_served_by(user))


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
        return self.user_has_permission(user, action) and serves_school(
            user, self._school_id(instance)
        )

    def instances_user_has_any_permission_for(self, user, actions) -> QuerySet:
        if not self.user_has_any_permission(user, actions):
            return self.model._default_manager.none()
        if serves_every_school(user):
            return self.model._default_manager.all()
        return self.model._default_manager.filter(
            **{f"{self.school_path}__in": school_ids_served_by(user)}
        )
