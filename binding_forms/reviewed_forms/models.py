"""The abstract reviewed submission: what someone sent about a child, reviewed in a Wagtail
workflow, with its status decided here and nowhere else."""

from dataclasses import dataclass
from importlib import import_module

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import Q
from django.utils.functional import cached_property
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from modelcluster.models import ClusterableModel
from wagtail.models import (
    DraftStateMixin,
    LockableMixin,
    RevisionMixin,
    WorkflowMixin,
    WorkflowState,
)


@dataclass(frozen=True)
class SubmissionStatus:
    """Where a submission stands, as the person who sent it is told: ``draft``,
    ``in_review``, ``changes_requested`` (with the reviewer's comment) or ``approved``."""

    DRAFT = "draft"
    IN_REVIEW = "in_review"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"
    LABELS = {
        DRAFT: _("Draft"),
        IN_REVIEW: _("Under review"),
        CHANGES_REQUESTED: _("Changes requested"),
        APPROVED: _("Approved"),
    }

    name: str
    comment: str = ""

    @property
    def label(self) -> str:
        return self.LABELS[self.name]

    @property
    def editable(self) -> bool:
        """Whether its sender may still change it: before sending, or when asked to."""
        return self.name in {self.DRAFT, self.CHANGES_REQUESTED}


class AbstractReviewedSubmission(
    WorkflowMixin, DraftStateMixin, LockableMixin, RevisionMixin, ClusterableModel
):
    """A form someone fills in about a child, kept as a draft until sent (``live`` stays False
    until the review approves it), then reviewed in the workflow ``get_workflow`` names.

    A concrete model adds who the submission is about (a foreign key to the child) and the
    form's own fields. Values typed into the draft that are personal data (``personal_keys``)
    are kept only encrypted, by the cipher ``settings.REVIEWED_FORMS_CIPHER`` names (a module
    or object with ``encrypt(str) -> str`` and ``decrypt(str) -> str``).
    """

    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    draft_data = models.JSONField(default=dict, blank=True, editable=False)
    submitted_at = models.DateTimeField(_("submitted"), null=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    # Reverse queries from revisions and workflow states: ``Revision.objects.filter(<model
    # name>=…)``; Wagtail's own relations on the mixins have no query name.
    _revisions = GenericRelation(
        "wagtailcore.Revision",
        content_type_field="base_content_type",
        object_id_field="object_id",
        related_query_name="%(class)s",
        for_concrete_model=False,
    )
    workflow_states = GenericRelation(
        "wagtailcore.WorkflowState",
        content_type_field="base_content_type",
        object_id_field="object_id",
        related_query_name="%(class)s",
        for_concrete_model=False,
    )

    # Keys of ``draft_data`` (at any depth) whose values are personal data: kept encrypted, as
    # ``<key>_encrypted``.
    personal_keys: tuple[str, ...] = ()

    # Nothing points at a submission from content: keep every draft save out of Wagtail's
    # reference index (a background task per save otherwise).
    wagtail_reference_index_ignore = True

    class Meta:
        abstract = True

    @property
    def revisions(self):
        return self._revisions

    # The status: the ONE rule every page, listing and mail asks ------------------------------

    def _active_workflow_state(self):
        if "_active_workflow_state_cache" not in self.__dict__:
            self.__dict__["_active_workflow_state_cache"] = self.current_workflow_state
        return self.__dict__["_active_workflow_state_cache"]

    @property
    def needs_changes(self) -> bool:
        """Sent, and the reviewer asked for changes (one query, none before it is sent)."""
        if self.submitted_at is None or self.live:
            return False
        state = self._active_workflow_state()
        return state is not None and state.status == WorkflowState.STATUS_NEEDS_CHANGES

    @cached_property
    def status(self) -> SubmissionStatus:
        """Where the submission stands; no query before it is sent. Read once per object:
        ``status_forget`` after changing it in the same request."""
        if self.submitted_at is None:
            return SubmissionStatus(SubmissionStatus.DRAFT)
        if self.live:
            return SubmissionStatus(SubmissionStatus.APPROVED)
        if not self.needs_changes:
            return SubmissionStatus(SubmissionStatus.IN_REVIEW)
        rejected = (
            self._active_workflow_state()
            .task_states.filter(status="rejected")
            .order_by("-finished_at")
            .first()
        )
        return SubmissionStatus(
            SubmissionStatus.CHANGES_REQUESTED, rejected.get_comment() if rejected else ""
        )

    @classmethod
    def status_q(cls, name: str) -> Q:
        """``status`` as a filter, for listings: the rows whose status is ``name``."""
        sent = Q(submitted_at__isnull=False)
        needs_changes = Q(
            pk__in=cls._default_manager.filter(
                workflow_states__status=WorkflowState.STATUS_NEEDS_CHANGES
            ).values("pk")
        )
        return {
            SubmissionStatus.DRAFT: Q(submitted_at__isnull=True),
            SubmissionStatus.APPROVED: sent & Q(live=True),
            SubmissionStatus.CHANGES_REQUESTED: sent & Q(live=False) & needs_changes,
            SubmissionStatus.IN_REVIEW: sent & Q(live=False) & ~needs_changes,
        }[name]

    def status_forget(self) -> None:
        self.__dict__.pop("status", None)
        self.__dict__.pop("_active_workflow_state_cache", None)

    def refresh_from_db(self, *args, **kwargs):
        self.status_forget()
        super().refresh_from_db(*args, **kwargs)

    # Personal values of the draft -------------------------------------------------------------

    @classmethod
    def cipher(cls):
        """The module (or the object at a dotted path) ``REVIEWED_FORMS_CIPHER`` names."""
        try:
            return import_module(settings.REVIEWED_FORMS_CIPHER)
        except ImportError:
            return import_string(settings.REVIEWED_FORMS_CIPHER)

    def draft_encrypt(self, values):
        """``values`` as the draft keeps them: each personal value replaced by its encrypted
        copy (an empty one stays empty), at any depth."""
        if isinstance(values, dict):
            kept = {}
            for key, value in values.items():
                if key in self.personal_keys and isinstance(value, str):
                    kept[f"{key}_encrypted"] = self.cipher().encrypt(value) if value else ""
                else:
                    kept[key] = self.draft_encrypt(value)
            return kept
        if isinstance(values, list):
            return [self.draft_encrypt(value) for value in values]
        return values

    def draft_decrypt(self, values):
        """The reverse of ``draft_encrypt``: for validating the draft again, never for a page."""
        if isinstance(values, dict):
            plain = {}
            for key, value in values.items():
                name = key.removesuffix("_encrypted")
                if name != key and name in self.personal_keys:
                    plain[name] = self.cipher().decrypt(value) if value else ""
                else:
                    plain[key] = self.draft_decrypt(value)
            return plain
        if isinstance(values, list):
            return [self.draft_decrypt(value) for value in values]
        return values
