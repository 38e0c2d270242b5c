"""The history of a school's records, seen only by that school's registrars."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.models import BaseLogEntry
from wagtail.models.audit_log import ModelLogEntryManager

from binding_forms.models import Application, Student
from binding_forms.registry.scope import school_ids_served_by, serves_every_school
from review_workflow.models.parents import ParentStudentLink

# The history of a school's records, seen only by that school's registrars -------------------


def school_id_of(instance) -> int | None:
    """The school a registry record, application, form submission or link belongs to. The
    child is read with its school and kept on the instance: the entry's label names both
    (``Application.__str__``), so logging one costs one query, or none when it is loaded."""
    from review_workflow.models.forms import SchoolFormSubmission

    if isinstance(instance, Student):
        return instance.school_id
    if isinstance(instance, Application | ParentStudentLink | SchoolFormSubmission):
        if not type(instance)._meta.get_field("student").is_cached(instance):
            child = Student.objects.select_related("school").filter(pk=instance.student_id)
            child = child.order_by().first()
            if child is None:
                return None
            instance.student = child
        return instance.student.school_id
    return None


class SchoolLogEntryManager(ModelLogEntryManager):
    def log_action(self, instance, action, **kwargs):
        kwargs.setdefault("school_id", school_id_of(instance))
        return super().log_action(instance, action, **kwargs)

    def viewable_by_user(self, user):
        """Wagtail shows a log model's entries to anyone with a permission on the model; these
        name children and parents, so a registrar sees only their own schools' (superusers all).
        """
        if serves_every_school(user):
            return self.all()
        return self.filter(school_id__in=school_ids_served_by(user))


class SchoolLogEntry(BaseLogEntry):
    """Wagtail's log entry (site history, each object's history) for students, applications and
    parent–child links, with the school they belong to (registered in wagtail_hooks.py)."""

    object_id = models.CharField(max_length=255, db_index=True)
    school = models.ForeignKey(
        "binding_forms.School",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("school"),
    )

    objects = SchoolLogEntryManager()

    def full_clean(self, exclude=None, **kwargs):
        # Wagtail validates each log entry before saving it; its foreign keys (content type,
        # user, revision, school) were just read with the record being logged, so checking that
        # each exists again is a query each for nothing (six an approval).
        related = {field.name for field in self._meta.concrete_fields if field.is_relation}
        return super().full_clean(exclude={*(exclude or ()), *related}, **kwargs)

    class Meta(BaseLogEntry.Meta):
        ordering = ["-timestamp", "-id"]
        verbose_name = _("school log entry")
        verbose_name_plural = _("school log entries")
