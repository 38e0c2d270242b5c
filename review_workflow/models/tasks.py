"""The per-school review step of the workflow: the staff of the child's school in one office."""

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _
from wagtail.forms import TaskStateCommentForm
from wagtail.models import Task, TaskState

from binding_forms.identity.personal_data import mask_id_numbers
from binding_forms.models import Application, Office
from binding_forms.registry.scope import school_ids_served_by, serves_every_school, serves_school


def reviewed_models() -> tuple[type[models.Model], ...]:
    """What a school's offices review: models with a ``student`` their workflow is about."""
    from review_workflow.models.forms import SchoolFormSubmission

    return (Application, SchoolFormSubmission)


class ChangesRequestedForm(TaskStateCommentForm):
    comment = forms.CharField(
        label=_("What must the parent change?"),
        help_text=_("Shown to the parent on the status page and in the mail."),
        widget=forms.Textarea({"rows": 3}),
        error_messages={"required": _("Say what the parent must change.")},
    )


class SchoolOfficeTask(Task):
    """One review step done by an office (註冊組, 學務處, …) of the child's school.

    A workflow is assigned per model (or, for the editors' forms, per form), not per object, so
    the routing to a school happens here: a staff member sees, locks and acts on an application
    or a form only if they serve its student's school in this task's office
    (``binding_forms.registry.scope``). Superusers may act on every one.
    """

    office = models.CharField(
        _("office"), max_length=20, choices=Office.choices, default=Office.REGISTRATION
    )

    admin_form_fields = [*Task.admin_form_fields, "office"]

    def _may_review(self, obj, user) -> bool:
        if not user.is_active:
            return False
        if not isinstance(obj, reviewed_models()):
            return serves_every_school(user)
        return serves_school(user, obj.student.school_id, self.office)

    def user_can_access_editor(self, obj, user) -> bool:
        return self._may_review(obj, user)

    def locked_for_user(self, obj, user) -> bool:
        return not self._may_review(obj, user)

    def user_can_lock(self, obj, user) -> bool:
        return self._may_review(obj, user)

    def user_can_unlock(self, obj, user) -> bool:
        return self._may_review(obj, user)

    def get_actions(self, obj, user):
        if not self._may_review(obj, user):
            return []
        return [
            ("reject", _("Request changes"), True),
            ("approve", _("Approve"), False),
            ("approve", _("Approve with comment"), True),
        ]

    def user_may_decide(self, task_state, user, action_name) -> bool:
        """Whether ``user`` may take ``action_name`` on ``task_state``: a state of this task,
        still in progress and its application's current one, and an application of a school
        ``user`` reviews."""
        if task_state.task_id != self.pk or task_state.status != TaskState.STATUS_IN_PROGRESS:
            return False
        workflow_state = task_state.workflow_state
        if workflow_state.current_task_state_id != task_state.pk:
            return False
        application = workflow_state.content_object
        return action_name in {name for name, _label, _modal in self.get_actions(application, user)}

    def get_form_for_action(self, action):
        return ChangesRequestedForm if action == "reject" else super().get_form_for_action(action)

    def on_action(self, task_state, user, action_name, **kwargs):
        # Decided from the task state's own application, never from the object a URL named:
        # Wagtail's workflow views load the task state by its id alone.
        if not self.user_may_decide(task_state, user, action_name):
            raise PermissionDenied
        if "comment" in kwargs:  # stored in the task state and the log: never an ID number
            kwargs["comment"] = mask_id_numbers(kwargs["comment"] or "")
        # The parent is told what to change: the modal's form requires it, and so does this, for
        # a request that skips the modal.
        if action_name == "reject" and not (kwargs.get("comment") or "").strip():
            raise PermissionDenied(_("Say what the parent must change."))
        return super().on_action(task_state, user, action_name, **kwargs)

    def get_task_states_user_can_moderate(self, user, **kwargs):
        states = self.task_states.filter(status=TaskState.STATUS_IN_PROGRESS)
        if serves_every_school(user):
            return states
        schools = school_ids_served_by(user, self.office)
        if not schools:
            return TaskState.objects.none()
        # WorkflowState.object_id is text (it serves every model): compare it with text.
        of_schools = models.Q(pk__in=[])
        for model in reviewed_models():
            objects = (
                model.objects.filter(student__school__in=schools)
                .annotate(pk_text=Cast("pk", models.CharField()))
                .values("pk_text")
            )
            of_schools |= models.Q(
                workflow_state__base_content_type=ContentType.objects.get_for_model(model),
                workflow_state__object_id__in=objects,
            )
        return states.filter(of_schools)

    def start(self, workflow_state, user=None):
        # The parent may hold a lock from nowhere (they never use the admin); staff of another
        # school or office must not keep one either.
        reviewed = workflow_state.content_object
        if reviewed.locked_by_id and not self._may_review(reviewed, reviewed.locked_by):
            type(reviewed).objects.filter(pk=reviewed.pk).update(
                locked=False, locked_by=None, locked_at=None
            )
        return super().start(workflow_state, user=user)

    @classmethod
    def get_description(cls):
        return _("The staff of the child's school in the chosen office approve or request changes")

    class Meta:
        verbose_name = _("school office review")
        verbose_name_plural = _("school office reviews")


class RegistryMatchTaskState(TaskState):
    """A registry-match step on one application: what it decided (the reasons are its comment,
    in words, never an ID number)."""

    class Outcome(models.TextChoices):
        AUTO_APPROVED = "auto_approved", _("Approved automatically")
        NEEDS_REGISTRAR = "needs_registrar", _("Needs the registrar")

    outcome = models.CharField(
        _("registry match"), max_length=20, choices=Outcome.choices, blank=True, db_index=True
    )

    class Meta:
        verbose_name = _("registry match state")
        verbose_name_plural = _("registry match states")


class RegistryMatchTask(SchoolOfficeTask):
    """學籍比對 in front of the registrar: an application whose every applicant is a guardian the
    registry knows for the child (same ID number, by keyed digest), with the relationship the
    registry records and living with the child, is approved by itself, through the same approval
    as a registrar's; any other is passed on to the next step with the reasons.

    It decides once its workflow has started (``review_workflow.services.registry_match``, run
    by the job that starts the review), so the application's history reads in order: sent,
    checked, approved or passed on. Until then (or if it was started some other way) it is an
    ordinary step of the registration office, which may decide it by hand.
    """

    admin_form_fields = Task.admin_form_fields
    task_state_class = RegistryMatchTaskState

    def save(self, *args, **kwargs):
        self.office = Office.REGISTRATION  # the registry is the registration office's
        return super().save(*args, **kwargs)

    @classmethod
    def get_description(cls):
        return _(
            "Approves by itself an application whose applicants are all guardians the registry "
            "knows for the child, with the same relationship; passes any other on to the next step"
        )

    class Meta:
        verbose_name = _("registry match")
        verbose_name_plural = _("registry matches")
