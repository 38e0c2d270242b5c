"""The abstract reviewed submission: what someone sent about a child, reviewed in a Wagtail
workflow, with its status decided here and nowhere else."""

from dataclasses import dataclass
from importlib import import_module

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import OuterRef, Q, Subquery, Value
from django.db.models.functions import Cast
from django.utils.functional import cached_property
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from modelcluster.models import ClusterableModel, get_all_child_relations
from wagtail.models import (
    DraftStateMixin,
    LockableMixin,
    RevisionMixin,
    WorkflowMixin,
    WorkflowState,
)


@dataclass(frozen=True)
class SubmissionStatus:
    """Where a submission stands, for its sender and its reviewers alike: ``draft``,
    ``in_review``, ``changes_requested`` (with the reviewer's comment), ``approved`` or
    ``cancelled`` (staff cancelled its review)."""

    DRAFT = "draft"
    IN_REVIEW = "in_review"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"
    CANCELLED = "cancelled"
    LABELS = {
        DRAFT: _("Draft"),
        IN_REVIEW: _("Under review"),
        CHANGES_REQUESTED: _("Changes requested"),
        APPROVED: _("Approved"),
        CANCELLED: _("Cancelled"),
    }

    name: str
    comment: str = ""

    @property
    def label(self) -> str:
        return self.LABELS[self.name]

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return list(cls.LABELS.items())

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

    def with_content_json(self, content):
        """Wagtail's, without django-modelcluster checking with a query that each foreign key
        of ``content`` still exists where it is this row's own (the child, the page, the
        requester, and each inline row's key to this submission: the database already holds
        this row's references, and inline rows are put back under this object anyway). Wagtail
        reads a revision as an object twice an approval; a key that differs is still checked."""
        own = {
            field: content[field.name]
            for field in self._meta.concrete_fields
            if (field.many_to_one or field.one_to_one)
            and field.name in content
            and content[field.name] == getattr(self, field.attname)
        }
        unchecked = {field.name for field in own}
        checked = {name: value for name, value in content.items() if name not in unchecked}
        for relation in get_all_child_relations(type(self)):
            name, key = relation.get_accessor_name(), relation.field.name
            if isinstance(checked.get(name), list):
                checked[name] = [
                    {k: v for k, v in row.items() if not (k == key and v == self.pk)}
                    for row in checked[name]
                ]
        instance = super().with_content_json(checked)
        for field, value in own.items():
            setattr(instance, field.attname, value)
            if field.is_cached(self):
                field.set_cached_value(instance, field.get_cached_value(self))
        return instance

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
        if self._active_workflow_state() is None:  # not started yet, or ended unapproved
            latest = self.workflow_states.order_by("-created_at", "-pk").first()
            if latest is not None and latest.status == WorkflowState.STATUS_CANCELLED:
                return SubmissionStatus(SubmissionStatus.CANCELLED)
            return SubmissionStatus(SubmissionStatus.IN_REVIEW)
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
    def with_status(cls, queryset=None, *, name: str = "review_status"):
        """``queryset`` (all rows by default) with each row's ``status`` name annotated as
        ``name``: the same rule in SQL, one subquery whatever the number of rows."""
        queryset = cls._default_manager.all() if queryset is None else queryset
        latest = (
            WorkflowState.objects.filter(
                base_content_type=ContentType.objects.get_for_model(cls),
                object_id=Cast(OuterRef("pk"), models.CharField()),
            )
            .order_by("-created_at", "-pk")
            .values("status")[:1]
        )
        return queryset.annotate(_latest_review=Subquery(latest)).annotate(
            **{
                name: models.Case(
                    models.When(submitted_at__isnull=True, then=Value(SubmissionStatus.DRAFT)),
                    models.When(live=True, then=Value(SubmissionStatus.APPROVED)),
                    models.When(
                        _latest_review=WorkflowState.STATUS_NEEDS_CHANGES,
                        then=Value(SubmissionStatus.CHANGES_REQUESTED),
                    ),
                    models.When(
                        _latest_review=WorkflowState.STATUS_CANCELLED,
                        then=Value(SubmissionStatus.CANCELLED),
                    ),
                    default=Value(SubmissionStatus.IN_REVIEW),
                    output_field=models.CharField(),
                )
            }
        )

    @classmethod
    def status_q(cls, name: str) -> Q:
        """``status`` as a filter, for listings: the rows whose status is ``name``."""
        rows = cls.with_status(name="_status_name").filter(_status_name=name)
        return Q(pk__in=rows.values("pk"))

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
