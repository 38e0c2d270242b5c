"""Who acts on which school's data: the one scope rule, and the permission policy built on it."""

from django.db.models import Model, Q, QuerySet
from wagtail.permission_policies import ModelPermissionPolicy

from binding_forms.models import Office, School, StaffAssignment


def offices_of(user) -> dict[str, frozenset[int]]:
    """THE school-scope rule: for each office, the schools whose data ``user`` may see and act
    on in it (the registration office keeps the registry and decides bindings; other offices
    review the forms their workflows name).

    Every school in every office for a superuser, the schools of their staff assignments for
    anyone else, none for an inactive or anonymous user. Read once per request (cached on the
    user object). The only reader of ``StaffAssignment`` outside the forms that edit it.
    """
    if not user.is_authenticated or not user.is_active:
        return {}
    if (cached := getattr(user, "_offices_served", None)) is None:
        if user.is_superuser:
            every = frozenset(School.objects.values_list("pk", flat=True))
            cached = dict.fromkeys(Office.values, every)
        else:
            served: dict[str, set[int]] = {}
            rows = StaffAssignment.objects.filter(user=user).values_list("office", "school_id")
            for office, school_id in rows:
                served.setdefault(office, set()).add(school_id)
            cached = {office: frozenset(ids) for office, ids in served.items()}
        user._offices_served = cached
    return cached


def school_ids_served_by(user, office: str = Office.REGISTRATION) -> frozenset[int]:
    """The schools ``user`` serves in ``office`` (by default the registration office, which
    keeps the registry, the applications and the parent–child links)."""
    return offices_of(user).get(office, frozenset())


def served_q(user, *, school_path: str, office: str | None = None, office_path: str = "") -> Q:
    """A filter for the rows ``user`` may see: those of a school they serve in ``office``, or,
    with ``office_path`` (the lookup from the row to the office that handles it), in that
    row's own office."""
    if not office_path:
        return Q(
            **{f"{school_path}__in": school_ids_served_by(user, office or Office.REGISTRATION)}
        )
    served = Q(pk__in=[])
    for each_office, school_ids in offices_of(user).items():
        served |= Q(**{f"{school_path}__in": school_ids, office_path: each_office})
    return served


def serves_every_school(user) -> bool:
    """Whether ``user`` acts on every school's rows, and on rows of no school: lets callers skip
    filtering (and the query of every school's id)."""
    return user.is_authenticated and user.is_active and user.is_superuser


def serves_school(user, school_id: int | None, office: str = Office.REGISTRATION) -> bool:
    """Whether ``user`` may act on a row of the school ``school_id`` in ``office`` (no school:
    superusers only)."""
    if serves_every_school(user):
        return True
    return school_id is not None and school_id in school_ids_served_by(user, office)


def schools_served_by(user, office: str = Office.REGISTRATION) -> QuerySet[School]:
    """``school_ids_served_by`` as a queryset of schools."""
    if serves_every_school(user):
        return School.objects.all()
    return School.objects.filter(pk__in=school_ids_served_by(user, office))


class SchoolScopedPermissionPolicy(ModelPermissionPolicy):
    """Django model permissions, narrowed to the schools the user serves in the office that
    handles the rows.

    ``school_path`` is the lookup from the model to its School (``"school"`` for a Student);
    the rows are the registration office's, or ``office``'s, or, with ``office_path`` (the
    lookup from a row to the office that handles it), each row's own office's.
    """

    def __init__(
        self,
        model,
        *,
        school_path: str = "school",
        office: str = Office.REGISTRATION,
        office_path: str = "",
        read_only: bool = False,
    ):
        super().__init__(model)
        self.school_path = school_path
        self.office = office
        self.office_path = office_path
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

    def _served_q(self, user) -> Q:
        return served_q(
            user, school_path=self.school_path, office=self.office, office_path=self.office_path
        )

    def user_has_permission_for_instance(self, user, action, instance) -> bool:
        if not self.user_has_permission(user, action):
            return False
        if not self.office_path or serves_every_school(user):
            return serves_school(user, self._school_id(instance), self.office)
        rows = self.model._default_manager.filter(self._served_q(user), pk=instance.pk)
        return rows.exists()

    def instances_user_has_any_permission_for(self, user, actions) -> QuerySet:
        if not self.user_has_any_permission(user, actions):
            return self.model._default_manager.none()
        if serves_every_school(user):
            return self.model._default_manager.all()
        rows = self.model._default_manager.filter(self._served_q(user))
        # A row reviewed by two tasks of an office would come twice from the join.
        return rows.distinct() if self.office_path else rows
