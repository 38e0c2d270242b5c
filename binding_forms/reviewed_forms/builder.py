"""Reviewed forms an editor builds in the admin, with no code: the fields (Wagtail's form-builder
fields, a date picker that works on a phone, and a file attachment kept out of the public media
URL), grouped into screens by a step title, and the page type that asks them one screen at a
time, for a child the person chooses, then sends them for review and shows where they stand.
"""

import json
import mimetypes
import posixpath
import uuid
from collections.abc import Sequence

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, models, transaction
from django.shortcuts import redirect
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.forms.forms import FormBuilder, WagtailAdminFormPageForm
from wagtail.contrib.forms.models import FORM_FIELD_CHOICES, AbstractFormField

from binding_forms.reviewed_forms.models import AbstractReviewedSubmission
from binding_forms.reviewed_forms.pages import MultiStepFormPage
from binding_forms.reviewed_forms.services import (
    submission_draft_save,
    submission_draft_values,
    submission_submit,
)
from binding_forms.reviewed_forms.steps import Step

FIELD_TYPE_FILE = "file"
# Wagtail's types without "hidden" (nothing a parent cannot see is sent for review), plus a file.
FIELD_CHOICES = (
    *((value, label) for value, label in FORM_FIELD_CHOICES if value != "hidden"),
    (FIELD_TYPE_FILE, _("File attachment (PDF, JPEG or PNG)")),
)

# What an attachment may be: its extension, and the bytes such a file starts with (a renamed
# file of another kind is refused).
ATTACHMENT_SIGNATURES = {
    ".pdf": (b"%PDF-",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
}


def attachment_max_bytes() -> int:
    return getattr(settings, "REVIEWED_FORMS_ATTACHMENT_MAX_BYTES", 5 * 1024 * 1024)


def attachment_storage():
    """Where attachments are kept: the ``reviewed_forms`` storage, never served by URL (only a
    reviewer's admin view, which checks the scope, reads it)."""
    return storages["reviewed_forms"]


# The fields --------------------------------------------------------------------------------


class AbstractReviewedFormField(AbstractFormField):
    """One field an editor adds to a reviewed form. Fields under the same step title are asked
    on one screen; a field with no step title joins the screen of the field before it."""

    step_title = models.CharField(
        _("step"),
        max_length=100,
        blank=True,
        help_text=_(
            "Fields with the same step title are asked on one screen. Leave empty to ask the "
            "field on the same screen as the field above it."
        ),
    )
    field_type = models.CharField(_("field type"), max_length=16, choices=FIELD_CHOICES)
    field_type.required_on_save = True

    panels = [FieldPanel("step_title"), *AbstractFormField.panels]

    class Meta(AbstractFormField.Meta):
        abstract = True


class AttachmentField(forms.FileField):
    """An optional or required file: PDF, JPEG or PNG, no larger than the configured size, and
    really of the kind its name says."""

    default_error_messages = {
        "kind": _("Attach a PDF, JPEG or PNG file."),
        "size": _("The file is larger than %(limit)s."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.FileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        value = super().clean(data, initial)
        if isinstance(value, dict) or not value:
            return value  # kept from an earlier screen (checked when it was uploaded), or none
        extension = posixpath.splitext(value.name)[1].lower()
        if value.size > attachment_max_bytes():
            raise ValidationError(
                self.error_messages["size"],
                code="size",
                params={"limit": filesizeformat(attachment_max_bytes())},
            )
        signatures = ATTACHMENT_SIGNATURES.get(extension, ())
        head = value.read(16)
        value.seek(0)
        if not any(head.startswith(signature) for signature in signatures):
            raise ValidationError(self.error_messages["kind"], code="kind")
        return value


class ReviewedFormBuilder(FormBuilder):
    """Wagtail's form builder, with the browser's own date picker (a phone shows its calendar)
    and attachments."""

    def create_date_field(self, field, options):
        options.setdefault("widget", forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
        return forms.DateField(**options)

    def create_number_field(self, field, options):
        options.setdefault("widget", forms.NumberInput(attrs={"inputmode": "decimal"}))
        return forms.DecimalField(**options)

    def create_file_field(self, field, options):
        options.pop("initial", None)
        return AttachmentField(**options)

    def get_field_options(self, field):
        options = super().get_field_options(field)
        if field.field_type == "checkbox":
            options["initial"] = field.default_value.strip().lower() in {"1", "true", "on", "是"}
        return options


def field_groups(fields) -> list[tuple[str, list]]:
    """The editor's fields as screens: ``[(step title, [fields…])…]``, in order."""
    groups: list[tuple[str, list]] = []
    for field in fields:
        title = field.step_title.strip()
        if not groups or (title and title != groups[-1][0]):
            groups.append((title, []))
        groups[-1][1].append(field)
    return groups


def _json_safe(value):
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _raw_values(form) -> dict:
    """What was typed into ``form``, as JSON-safe text (lists for several choices): the
    wizard's state, validated again when the form is sent."""
    values = {}
    for name, field in form.fields.items():
        if isinstance(field, forms.FileField):
            continue
        raw = field.widget.value_from_datadict(form.data, form.files, form.add_prefix(name))
        values[name] = raw if isinstance(raw, list | str | bool) or raw is None else str(raw)
    return values


# The steps ---------------------------------------------------------------------------------


class ChildStep(Step):
    """Which child the form is about: one of the person's own (the page's ``child_choices``),
    never an id taken from the request unchecked. Skipped when there is only one child (the
    page starts the submission for that child). Also where another submission is started once
    one is sent."""

    title = _("Child")
    template = "reviewed_forms/child.html"

    def is_complete(self, submission) -> bool:
        return submission is not None

    def is_reachable(self, page, submission) -> bool:
        return True  # a sent submission stays as it is: choosing a child starts a new one

    def get_form(self, page, request, submission):
        choices = [
            (str(child.pk), page.child_label(child)) for child in page.child_choices(request)
        ]
        current = getattr(submission, f"{page.child_field}_id", None) if submission else None
        form = forms.Form(
            data=request.POST if request.method == "POST" else None,
            initial={"child": str(current or (choices[0][0] if len(choices) == 1 else ""))},
        )
        form.fields["child"] = forms.TypedChoiceField(
            label=_("Which child is this for?"),
            choices=choices,
            coerce=int,
            widget=forms.RadioSelect,
            error_messages={
                "required": _("Choose the child this is for."),
                "invalid_choice": _("Choose one of your children."),
            },
        )
        return form

    def process(self, page, request, submission, form):
        child = next(
            child for child in page.child_choices(request) if child.pk == form.cleaned_data["child"]
        )
        submission = page.submission_for_child(request, child=child, current=submission)
        return redirect(page.step_url(request, page.current_step(submission), submission))


def _is_choice(field) -> bool:
    return isinstance(field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple)


class FieldsStep(Step):
    """One screen of the editor's fields. What was typed is kept as text in the draft (files in
    the private storage) and validated again when the form is sent."""

    template = "reviewed_forms/fields.html"
    fields: Sequence = ()

    def form_for(self, page, *, data=None, files=None, initial=None):
        form_class = page.form_builder(self.fields).get_form_class()
        return form_class(data=data, files=files, initial=initial)

    def kept(self, submission) -> dict:
        return submission_draft_values(submission=submission).get(self.name, {})

    def is_complete(self, submission) -> bool:
        return self.name in submission.draft_data

    def get_form(self, page, request, submission):
        kept = self.kept(submission)
        if request.method == "POST":
            files_kept = {k: v for k, v in kept.items() if isinstance(v, dict)}
            return self.form_for(page, data=request.POST, files=request.FILES, initial=files_kept)
        return self.form_for(page, initial=kept or None)

    def get_context(self, page, request, submission, form) -> dict:
        kept = self.kept(submission)
        rows = [
            {
                "field": form[name],
                "choice": _is_choice(field),
                "kept": kept.get(name) if isinstance(kept.get(name), dict) else None,
            }
            for name, field in form.fields.items()
        ]
        return {"rows": rows}

    def process(self, page, request, submission, form):
        values = _raw_values(form)
        kept = self.kept(submission)
        for name, field in form.fields.items():
            if isinstance(field, forms.FileField):
                value = form.cleaned_data.get(name)
                if value and not isinstance(value, dict):
                    value = attachment_keep(submission=submission, upload=value)
                    attachment_forget(submission=submission, kept=kept.get(name))
                values[name] = value or None
        submission_draft_save(submission=submission, values={self.name: values})
        return None


class ConfirmStep(Step):
    """確認送出: every screen's answers again, validated again from the draft (a crafted POST
    cannot skip a screen), then sent once for review."""

    title = _("Confirm and send")
    template = "reviewed_forms/confirm.html"

    def is_complete(self, submission) -> bool:
        return False

    def answer_groups(self, page, request, submission) -> list[dict]:
        """Per screen: its answers as sent (one entry per field), or its errors."""
        kept = submission_draft_values(submission=submission)
        groups = []
        for step in page.field_steps():
            values = kept.get(step.name, {})
            files = {k: v for k, v in values.items() if isinstance(v, dict)}
            form = step.form_for(page, data=values, files={}, initial=files)
            answers = []
            if form.is_valid():
                for field in step.fields:
                    name = field.clean_name or field.get_field_clean_name()
                    answer = {
                        "name": name,
                        "label": field.label,
                        "type": field.field_type,
                        "value": _json_safe(form.cleaned_data.get(name)),
                    }
                    answers.append({**answer, "text": answer_text(answer)})
            groups.append(
                {
                    "step": step,
                    "url": page.step_url(request, step, submission),
                    "answers": answers,
                    "valid": not form.errors,
                }
            )
        return groups

    def get_context(self, page, request, submission, form) -> dict:
        groups = self.answer_groups(page, request, submission)
        return {
            "answer_groups": groups,
            "problems": [group for group in groups if not group["valid"]],
        }

    def process(self, page, request, submission, form):
        groups = self.answer_groups(page, request, submission)
        if any(not group["valid"] for group in groups):
            return self.render(page, request, submission)
        answers = [
            {key: answer[key] for key in ("name", "label", "type", "value")}
            for group in groups
            for answer in group["answers"]
        ]
        submission_submit(
            submission=submission,
            user=request.user,
            changes={"sent_data": answers},
            keep_draft=True,
        )
        return redirect(page.step_url(request, page.status_step, submission))


class StatusStep(Step):
    """After sending: where it stands, the reviewer's comment, what was sent, the person's other
    submissions on this form, and a way to file another one."""

    title = _("Review status")
    template = "reviewed_forms/status.html"
    after_submit = True

    def get_context(self, page, request, submission, form) -> dict:
        others = page.submissions_of(request).exclude(pk=submission.pk)
        others = others.select_related(page.child_field)[:20]
        return {
            "answers": [{**a, "text": answer_text(a)} for a in submission.sent_data],
            "others": [
                {"submission": other, "url": page.step_url(request, page.status_step, other)}
                for other in others
            ],
            "change_url": page.step_url(request, page.confirm_step, submission),
            "another_url": super(ReviewedFormPage, page).step_url(request, page.child_step),
            "child_form": page.child_step.get_form(page, request, None),
        }


# The page ----------------------------------------------------------------------------------


class AbstractBuiltFormSubmission(AbstractReviewedSubmission):
    """A submission of an editor-built form: what was sent, one entry per field with its label
    as it was then (``[{"name", "label", "type", "value"}…]``)."""

    sent_data = models.JSONField(_("sent"), default=list, blank=True, editable=False)

    class Meta:
        abstract = True

    @property
    def child_label(self) -> str:
        """Who it is about, as its sender's pages name the child (the concrete model says)."""
        return ""

    def answers_text(self) -> str:
        return "；".join(f"{a['label']}：{answer_text(a)}" for a in self.sent_data)


def answer_text(answer: dict) -> str:
    value = answer.get("value")
    if isinstance(value, dict):
        return value.get("name", "")
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    return "" if value is None else str(value)


def attachment_keep(*, submission, upload) -> dict:
    """Keep an uploaded attachment in the private storage, under the submission; what the draft
    and the sent data hold of it (its stored name, the name it had, its size)."""
    extension = posixpath.splitext(upload.name)[1].lower()
    folder = f"{submission._meta.label_lower}/{submission.pk}"
    stored = attachment_storage().save(f"{folder}/{uuid.uuid4().hex}{extension}", upload)
    return {"path": stored, "name": posixpath.basename(upload.name)[:200], "size": upload.size}


def attachment_forget(*, submission, kept) -> None:
    """Delete an attachment a new upload replaced, unless it was sent (a reviewer may read what
    was sent before changes were requested)."""
    if not isinstance(kept, dict) or not isinstance(kept.get("path"), str):
        return
    sent = {
        answer["value"].get("path")
        for answer in submission.sent_data
        if isinstance(answer.get("value"), dict)
    }
    folder = f"{submission._meta.label_lower}/{submission.pk}/"
    path = posixpath.normpath(kept["path"])
    if path not in sent and path.startswith(folder):
        attachment_storage().delete(path)


def attachment_open(*, submission, name: str):
    """(file, name it had, content type) of the attachment ``name`` the submission sent, or
    None. Only paths under the submission's own folder are opened."""
    answer = next((a for a in submission.sent_data if a.get("name") == name), None)
    value = answer.get("value") if answer else None
    if not isinstance(value, dict) or not isinstance(value.get("path"), str):
        return None
    folder = f"{submission._meta.label_lower}/{submission.pk}/"
    path = posixpath.normpath(value["path"])
    storage = attachment_storage()
    if not path.startswith(folder) or not storage.exists(path):
        return None
    content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
    return storage.open(path, "rb"), value.get("name") or posixpath.basename(path), content_type


class ReviewedFormPage(MultiStepFormPage):
    """A reviewed form whose fields an editor defines (``form_fields``): a screen to choose the
    child, one screen per step title, a confirmation that sends it, and a status screen.

    A concrete page names its field model (through the ``form_fields`` relation), its
    submission model (``submission_model``, a subclass of ``AbstractBuiltFormSubmission`` with a
    ``page`` and a ``child_field``) and whose children a person may file for (``child_choices``);
    ``may_file`` says who may use the form at all.
    """

    base_form_class = WagtailAdminFormPageForm
    form_builder = ReviewedFormBuilder
    # Its model (a subclass of AbstractBuiltFormSubmission) should keep one unsent draft per
    # page and requester (a unique constraint): a double click then finds the same draft.
    submission_model: type[AbstractBuiltFormSubmission]
    child_field = "child"

    not_for_you_template = "reviewed_forms/not_for_you.html"

    class Meta:
        abstract = True

    # What the concrete page decides -----------------------------------------------------------

    def child_choices(self, request) -> list:
        """The children ``request.user`` may file this form for."""
        raise NotImplementedError

    def child_label(self, child) -> str:
        return str(child)

    def may_file(self, request) -> bool:
        return bool(self.child_choices(request))

    # The steps, from the editor's fields -------------------------------------------------------

    def get_form_fields(self):
        return self.form_fields.all()

    def get_steps(self) -> Sequence[Step]:
        if "_steps" not in self.__dict__:
            self.child_step = ChildStep("child")
            self.confirm_step = ConfirmStep("confirm")
            self.status_step = StatusStep("status")
            fields = [
                FieldsStep(f"part{number}", title=title or self.title, fields=group)
                for number, (title, group) in enumerate(
                    field_groups(self.get_form_fields()), start=1
                )
            ]
            self.__dict__["_steps"] = [
                self.child_step,
                *fields,
                self.confirm_step,
                self.status_step,
            ]
        return self.__dict__["_steps"]

    def field_steps(self) -> list[FieldsStep]:
        return [step for step in self.get_steps() if isinstance(step, FieldsStep)]

    def step_url(self, request, step, submission=None) -> str:
        """A step's URL, naming the submission when the person has more than the latest."""
        url = super().step_url(request, step)
        if submission is None:
            submission = getattr(request, "_reviewed_submission", None)
        if submission is not None and submission.pk:
            url += f"?submission={submission.pk}"
        return url

    def submission_status_url(self, submission, request=None) -> str:
        """Where its sender sees a submission's status (a mail links here)."""
        return f"{self.get_url(request)}status/?submission={submission.pk}"

    # The submission ----------------------------------------------------------------------------

    def submissions_of(self, request):
        return self.submission_model.objects.filter(page=self, requester=request.user).order_by(
            "-created_at", "-pk"
        )

    def get_submission(self, request, *, for_update: bool = False):
        """The person's submission the URL names (only their own on this page), else their
        latest; on a first visit with one child, a new draft for that child."""
        submissions = self.submissions_of(request).select_related(self.child_field)
        if for_update:
            submissions = submissions.select_for_update(of=("self",))
        chosen = request.GET.get("submission", "")
        named = chosen.isascii() and chosen.isdigit() and len(chosen) < 10  # a crafted URL: ignored
        submission = (submissions.filter(pk=int(chosen)).first() if named else None) or (
            submissions.first()
        )
        if submission is None:
            children = self.child_choices(request)
            if len(children) == 1:
                submission = self.submission_for_child(request, child=children[0], current=None)
        request._reviewed_submission = submission
        return submission

    def submission_for_child(self, request, *, child, current):
        """The draft a new submission for ``child`` is written to: the current draft (its child
        changed), the person's unsent draft on this form, or a new one."""
        drafts = self.submissions_of(request).filter(submitted_at__isnull=True)
        with transaction.atomic():
            if current is None or current.submitted_at is not None:
                current = drafts.select_for_update(of=("self",)).first()
            if current is None:
                try:
                    with transaction.atomic():
                        current = self.submission_model.objects.create(
                            page=self,
                            requester=request.user,
                            live=False,
                            **{self.child_field: child},
                        )
                except IntegrityError:  # the same first visit, a moment earlier (a unique draft)
                    current = drafts.select_for_update(of=("self",)).get()
            if getattr(current, f"{self.child_field}_id") != child.pk:
                setattr(current, self.child_field, child)
                current.save(update_fields=[self.child_field])
        request._reviewed_submission = current
        return current

    # Serving -----------------------------------------------------------------------------------

    def serve_step(self, request, name):
        if request.user.is_authenticated and not self.may_file(request):
            response = TemplateResponse(
                request, self.not_for_you_template, self.get_context(request)
            )
            response.status_code = 403
            return response
        return super().serve_step(request, name)

    def get_preview_submission(self, request, step):
        return self.submission_model(page=self, draft_data={})

    def serve_preview(self, request, mode_name):
        """Each screen as a parent sees it, with an empty draft (no child, nothing typed)."""
        step = self.get_step(mode_name) or self.get_steps()[0]
        submission = self.get_preview_submission(request, step)
        child_form = self.child_step.get_form(self, request, None)
        context = {"preview": True, "child_form": child_form, "answers": [], "others": []}
        if isinstance(step, ChildStep):
            context["form"] = child_form
        elif isinstance(step, FieldsStep | ConfirmStep):
            form = step.get_form(self, request, submission)
            context.update(form=form, **step.get_context(self, request, submission, form))
        return self.render_step(request, step, submission, **context)
