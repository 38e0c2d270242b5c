"""學籍比對: whether the registry vouches for every applicant of an application, and the
automatic decision of the ``RegistryMatchTask`` step that follows from it.

An application is approved by itself only when every applicant

- has the ID number (keyed digest: the clear number is never read) of a guardian the registry
  knows for that child,
- names the relationship the registry records for that guardian (父女 and 父子 agree with 父;
  see ``relationship_role``), and
- is not marked in the registry as not living with the child;

and nothing else asks for a person's judgement (the child has left school, the same person is
named twice, an email or mobile is another family's, an account cannot be made). Anything
else goes to the registrar with the reasons, in words and without an ID number.
"""

import unicodedata
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log
from wagtail.models import Task, TaskState, WorkflowTask

from binding_forms.models import Applicant, Application, RegistryGuardian

# The parent's side of a relationship, as the wizard's choices (父女, 母子, 祖孫…) and the
# registry's column (父, 母親, 祖母…) spell it.
_FATHER = ("父", "父親", "爸爸", "生父", "養父", "繼父")
_MOTHER = ("母", "母親", "媽媽", "生母", "養母", "繼母")
_GRANDPARENT = ("祖父", "祖母", "外祖父", "外祖母", "爺爺", "奶奶", "阿公", "阿嬤", "外公", "外婆")


def relationship_role(label: str) -> str:
    """The guardian's role a relationship label names: 父, 母, 祖 (a grandparent), or the label
    itself (監護人, 叔叔…), which then agrees only with the same label."""
    text = unicodedata.normalize("NFKC", label or "").strip()
    if text in _FATHER or text in ("父子", "父女"):
        return "父"
    if text in _MOTHER or text in ("母子", "母女"):
        return "母"
    if text in _GRANDPARENT or text.startswith(("祖孫", "外祖孫")):
        return "祖"
    return text


def relationships_agree(applicant_label: str, registry_label: str) -> bool:
    role = relationship_role(registry_label)
    return bool(role) and relationship_role(applicant_label) == role


@dataclass(frozen=True)
class ApplicantFinding:
    """One applicant against the registry: ``matched`` or the reason they are not."""

    position: int
    name: str
    reason: str = ""  # empty: the registry vouches for this applicant

    @property
    def matched(self) -> bool:
        return not self.reason

    def __str__(self) -> str:
        who = _("Applicant %(position)s %(name)s") % {"position": self.position, "name": self.name}
        return f"{who}：{self.reason or _('a guardian the registry knows')}"


@dataclass(frozen=True)
class RegistryMatch:
    findings: tuple[ApplicantFinding, ...]
    reasons: tuple[str, ...]  # of the application as a whole

    @property
    def approves(self) -> bool:
        return bool(self.findings) and not self.reasons and all(f.matched for f in self.findings)

    def summary(self) -> str:
        """The decision and why, for the history: names and relationships, never an ID."""
        head = (
            _("Registry match: approved by itself")
            if self.approves
            else _("Registry match: needs the registrar")
        )
        lines = [*self.reasons, *(str(finding) for finding in self.findings)]
        return f"{head}。" + "；".join(lines)


def _applicant_finding(applicant: Applicant, guardians: list[RegistryGuardian]) -> str:
    same_id = [g for g in guardians if g.id_number_digest == applicant.id_number_digest]
    if not same_id:
        if any(g.name == applicant.name for g in guardians):
            return _(
                "no guardian in the registry has this ID number, but one has this name "
                "(a mistyped ID number?)"
            )
        if not any(g.id_number_digest for g in guardians):
            return _("the registry knows no guardian's ID number for this child")
        return _("no guardian in the registry has this ID number")
    guardian = same_id[0]
    if not guardian.relationship.strip():
        return _(
            "the ID number matches %(name)s, whose relationship the registry does not know"
        ) % {"name": guardian.name}
    if not relationships_agree(applicant.relationship, guardian.relationship):
        return _(
            "the ID number matches %(name)s, but the registry records the relationship "
            "%(registry)s, not %(given)s"
        ) % {
            "name": guardian.name,
            "registry": guardian.relationship,
            "given": applicant.relationship,
        }
    if not guardian.lives_with_student:
        return _(
            "%(name)s is a guardian the registry knows, marked as not living with the child"
        ) % {"name": guardian.name}
    return ""


def registry_match(*, application: Application) -> RegistryMatch:
    """The applicants of ``application`` against the guardians the registry knows for its
    child (a few queries; reads only)."""
    from review_workflow.review_checks import applicant_checks

    applicants = list(application.applicants.order_by("position"))
    student = application.student
    guardians = list(RegistryGuardian.objects.filter(student=student))
    reasons = []
    if not applicants:
        reasons.append(_("the application names no applicant"))
    if not student.enrolled:
        reasons.append(_("the child is no longer enrolled"))
    digests = [a.id_number_digest for a in applicants]
    if len(set(digests)) != len(digests):
        reasons.append(_("the same ID number is given for both applicants"))
    for check in applicant_checks(application, applicants):
        if check.reused_email or check.reused_mobile:
            reasons.append(
                _("the email or mobile of %(name)s is given by another family")
                % {"name": check.applicant.name}
            )
    findings = tuple(
        ApplicantFinding(
            position=applicant.position,
            name=applicant.name,
            reason=_applicant_finding(applicant, guardians),
        )
        for applicant in applicants
    )
    return RegistryMatch(findings=findings, reasons=tuple(reasons))


# The step's decision ---------------------------------------------------------------------------


def _log_decision(task_state, action: str, comment: str, next_task) -> None:
    workflow_state = task_state.workflow_state
    log(
        instance=task_state.revision.as_object(),
        action=action,
        data={
            "workflow": {
                "id": workflow_state.workflow_id,
                "title": workflow_state.workflow.name,
                "status": task_state.status,
                "task_state_id": task_state.pk,
                "task": {"id": task_state.task_id, "title": task_state.task.name},
                "next": {"id": next_task.pk, "title": next_task.name} if next_task else None,
            },
            "comment": comment,
        },
        revision=task_state.revision,
    )


def _tasks_after(task_state):
    """The active steps of the workflow not done yet, other than this one."""
    workflow_state = task_state.workflow_state
    return (
        Task.objects.filter(workflow_tasks__workflow=workflow_state.workflow, active=True)
        .exclude(task_states__in=workflow_state.successful_task_states)
        .exclude(pk=task_state.task_id)
        .order_by("workflow_tasks__sort_order")
    )


def _pass_on(task_state, comment: str) -> None:
    """Not decided here: the workflow moves on to the next step (Wagtail counts a skipped step
    as done), the reasons in the task state and the history. With no step after it, it stays
    in progress: the registration office decides it by hand (it is their step too)."""
    RegistryMatchTaskState = type(task_state)
    task_state.outcome = RegistryMatchTaskState.Outcome.NEEDS_REGISTRAR
    task_state.comment = comment
    next_task = _tasks_after(task_state).first()
    if next_task is None:
        task_state.save(update_fields=["outcome", "comment"])
        _log_decision(task_state, "review_workflow.registry_match.refer", comment, task_state.task)
        return
    task_state.status = TaskState.STATUS_SKIPPED
    task_state.finished_at = timezone.now()
    task_state.finished_by = None
    task_state.save()
    _log_decision(task_state, "review_workflow.registry_match.refer", comment, next_task)
    task_state.workflow_state.update(user=None)


def _approve_whole_workflow(task_state, comment: str) -> None:
    """Approved by the registry match: the steps after it are skipped, then Wagtail's own
    approval runs with no user, so the workflow finishes as a registrar's approval does —
    published, ``workflow_approved`` (accounts, links, mails), logged — exactly once."""
    now = timezone.now()
    for task in list(_tasks_after(task_state)):
        TaskState.objects.create(
            workflow_state=task_state.workflow_state,
            revision=task_state.revision,
            task=task,
            status=TaskState.STATUS_SKIPPED,
            finished_at=now,
            comment=_("Skipped: the registry match approved the application"),
        )
    task_state.outcome = type(task_state).Outcome.AUTO_APPROVED
    task_state.approve(user=None, comment=comment)


def registry_match_conclude(*, application: Application) -> str | None:
    """Decide the application's registry-match step if that is where its review stands: approve
    the whole review, or pass it on to the registrar. Returns the outcome, or None when there
    was nothing to decide (another step, or decided already: a replayed job changes nothing).

    Call inside the transaction that started the review, with the application's row locked.
    """
    from review_workflow.models import RegistryMatchTaskState
    from review_workflow.services.approval import ProvisioningError

    workflow_state = application.current_workflow_state
    if workflow_state is None or workflow_state.status != workflow_state.STATUS_IN_PROGRESS:
        return None
    task_state = (
        RegistryMatchTaskState.objects.filter(
            pk=workflow_state.current_task_state_id,
            status=TaskState.STATUS_IN_PROGRESS,
            outcome="",
        )
        .select_related("task", "revision")
        .first()
    )
    if task_state is None:
        return None
    task_state.workflow_state = workflow_state
    workflow_state.current_task_state = task_state

    match = registry_match(application=application)
    if match.approves:
        try:
            with transaction.atomic():
                _approve_whole_workflow(task_state, match.summary())
            return RegistryMatchTaskState.Outcome.AUTO_APPROVED
        except ProvisioningError as error:
            # An account cannot be made (the email signs in someone else): nothing of the
            # approval stays; the registrar is told why.
            workflow_state.refresh_from_db()
            task_state = RegistryMatchTaskState.objects.select_related("task", "revision").get(
                pk=task_state.pk
            )
            task_state.workflow_state = workflow_state
            workflow_state.current_task_state = task_state
            match = RegistryMatch(
                findings=match.findings, reasons=(*match.reasons, "；".join(error.messages))
            )
    _pass_on(task_state, match.summary())
    return RegistryMatchTaskState.Outcome.NEEDS_REGISTRAR


# Setting the step up, as an administrator does in Settings › Workflows ---------------------------

REGISTRY_MATCH_TASK_NAME = "學籍比對"


@transaction.atomic
def registry_match_step_add(*, workflow, name: str = REGISTRY_MATCH_TASK_NAME):
    """Put a registry-match step at the head of ``workflow`` (the registrar's step follows);
    a workflow that has one already is left as it is. Returns the step."""
    from review_workflow.models import RegistryMatchTask

    existing = RegistryMatchTask.objects.filter(workflow_tasks__workflow=workflow).first()
    if existing is not None:
        return existing
    task = RegistryMatchTask.objects.filter(name=name).first() or RegistryMatchTask.objects.create(
        name=name
    )
    steps = list(WorkflowTask.objects.filter(workflow=workflow).order_by("sort_order"))
    for order, step in enumerate(steps, 1):
        step.sort_order = order
        step.save(update_fields=["sort_order"])
    WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    return task
