"""The binding wizard page (screens 2–4 of the handbook), its choices, and the applications."""

from typing import NamedTuple

from django.db import models
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page

from binding_forms.binding.consent import DEFAULT_CONSENT_NOTICE
from binding_forms.identity.fields import IdNumberFields
from binding_forms.models.registry import School, Student
from binding_forms.models.users import User
from binding_forms.reviewed_forms.models import AbstractReviewedSubmission
from binding_forms.reviewed_forms.pages import MultiStepFormPage

# The binding wizard (screens 2–4 of the handbook) -------------------------------------------


DEFAULT_APPLICATION_TYPES = [
    ("雙親為監護人，二位申請帳號", 2),
    ("一位申請帳號", 1),
    ("申請親生監護人，二位申請帳號", 2),
    ("其他關係者擔任監護人，申辦帳號", 1),
]
DEFAULT_RELATIONSHIPS = ["父子", "父女", "母子", "母女", "祖孫", "監護人"]


class BindingWizardPage(MultiStepFormPage):
    """The wizard a signed-in parent follows; its wording, consent notice, application types and
    relationship choices are the editors'. Its steps (``binding_forms/binding/steps.py``) are
    served at ``<page url><step>/``."""

    level = models.CharField(
        _("school level"),
        max_length=20,
        choices=School.Level.choices,
        blank=True,
        help_text=_("Leave empty to serve every level from this page."),
    )
    greeting_text = models.CharField(
        _("introduction under the greeting"),
        max_length=255,
        default="本服務為臺北市政府教育局綁定親子帳號服務，請依序完成下列事項：",
    )
    student_text = models.CharField(
        _("step 1: text above the student's data"),
        max_length=255,
        default="為確保貴子女權益，請協助確認學籍系統中相關資訊是否正確。",
    )
    wrong_data_text = models.CharField(
        _("step 1: what to do if the data is wrong"),
        max_length=255,
        default="以上資訊若有錯誤，請洽學校註冊組辦理，再進行親子帳號申請。",
    )
    consent_intro = models.CharField(
        _("step 2: introduction"),
        max_length=255,
        default="為使家長與學校聯繫更加緊密，了解學生各項學習表現，建議您申辦親子帳號，請參考以下相關說明。",
    )
    consent_notice = RichTextField(
        _("step 2: consent notice"),
        default=DEFAULT_CONSENT_NOTICE,
        help_text=_(
            "Each application records the published revision of this page its parent agreed to."
        ),
    )
    consent_agree_label = models.CharField(
        _("step 2: agree choice"),
        max_length=255,
        default="本人同意提供本同意書所需個資以立即享有臺北酷課雲（親師生學習整合平臺）各項服務。",
    )
    consent_refuse_label = models.CharField(
        _("step 2: refuse choice"),
        max_length=255,
        default=(
            "本人不同意提供本同意書所需個資，且知悉未提供相關資料將無法獲得臺北酷課雲"
            "（親師生學習整合平臺）相關服務。"
        ),
    )
    refusal_text = RichTextField(
        _("step 2: shown after refusing"),
        default=(
            "<p>您選擇不同意提供個人資料，因此無法綁定親子帳號，也無法使用臺北酷課雲"
            "（親師生學習整合平臺）及各項校園E化服務。若改變心意，隨時可以回到此處選擇同意。</p>"
        ),
    )
    applicants_text = models.CharField(
        _("step 3: introduction"),
        max_length=255,
        default="為確保貴子女的權益，保障個人資訊安全，請按下列流程提交。",
    )
    success_text = models.CharField(
        _("text after submitting"), max_length=100, default="設定親子帳號成功!"
    )
    verify_email = models.BooleanField(
        _("verify applicants' email with a one-time code"),
        default=True,
        help_text=_("Each applicant types a code mailed to them before the application is sent."),
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("level"),
        FieldPanel("greeting_text"),
        MultiFieldPanel(
            [FieldPanel("student_text"), FieldPanel("wrong_data_text")],
            heading=_("Step 1: the student's data"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("consent_intro"),
                FieldPanel("consent_notice"),
                FieldPanel("consent_agree_label"),
                FieldPanel("consent_refuse_label"),
                FieldPanel("refusal_text"),
            ],
            heading=_("Step 2: consent"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("applicants_text"),
                InlinePanel("application_types", label=_("application types"), min_num=1),
                InlinePanel("relationships", label=_("relationship choices"), min_num=1),
                FieldPanel("verify_email"),
                FieldPanel("success_text"),
            ],
            heading=_("Step 3: the applicants"),
        ),
    ]
    parent_page_types = ["home.HomePage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("binding wizard")

    def get_steps(self):
        from binding_forms.binding.steps import STEPS  # steps import forms, forms these models

        return STEPS

    def get_submission(self, request, *, for_update: bool = False):
        from binding_forms.binding.steps import application_of_request

        return application_of_request(self, request, for_update=for_update)

    def get_preview_submission(self, request, step):
        from binding_forms.binding.steps import preview_application

        return preview_application(self, step)

    def get_context(self, request, *args, submission=None, **kwargs):
        context = super().get_context(request, *args, submission=submission, **kwargs)
        context["application"] = submission
        context["student"] = submission.student if submission is not None else None
        return context

    def step_choices(self) -> "StepChoices":
        """The application types and the relationship labels the applicants step offers, with
        what an application stores for each: the source page's (zh-Hant) labels, which the
        registry's matching and the registrars compare, whichever language the parent used.

        Read once a process for each publication (of this page and, for a translation, of its
        source): they change only when a page is published, which gives it a new live revision
        or publishing time, and so a new key (a publish in another worker is seen at once;
        nothing is ever served from an older publication). A preview's or an unsaved page's
        choices are in memory, and are used as they are.
        """
        source = self._source_row()
        # modelcluster's unsaved children: private, pinned by test_routing_private_api.py
        in_memory = self.__dict__.get("_cluster_related_objects")
        if not self.pk or self.live_revision_id is None or in_memory:
            return _read_step_choices(self, source)
        key = (self.live_revision_id, self.last_published_at, source)
        cached = _PUBLISHED_STEP_CHOICES.get(self.pk)
        if cached is not None and cached[0] == key:
            return cached[1]
        choices = _read_step_choices(self, source)
        _PUBLISHED_STEP_CHOICES[self.pk] = (key, choices)
        return choices

    def _source_row(self) -> tuple | None:
        """(id, live revision, published at) of the page this one translates, None when it is in
        the source language itself (no query then: the wizard's own language costs nothing)."""
        from binding_forms.languages import default_locale_id

        default = default_locale_id()
        if default is None or self.locale_id == default or self.translation_key is None:
            return None
        return (
            BindingWizardPage.objects.filter(
                translation_key=self.translation_key, locale_id=default
            )
            .values_list("pk", "live_revision_id", "last_published_at")
            .first()
        )

    def source_page(self) -> "BindingWizardPage":
        """The page in the source language this one translates (itself when it is in it)."""
        source = self._source_row()
        return BindingWizardPage.objects.get(pk=source[0]) if source else self


class ApplicationType(Orderable):
    page = ParentalKey(
        BindingWizardPage, on_delete=models.CASCADE, related_name="application_types"
    )
    label = models.CharField(_("label"), max_length=100)
    applicant_count = models.PositiveSmallIntegerField(
        _("applicants"), choices=[(1, _("one")), (2, _("two"))], default=1
    )

    panels = [FieldPanel("label"), FieldPanel("applicant_count")]

    def __str__(self) -> str:
        return self.label


class RelationshipChoice(Orderable):
    page = ParentalKey(BindingWizardPage, on_delete=models.CASCADE, related_name="relationships")
    label = models.CharField(_("label"), max_length=20)

    panels = [FieldPanel("label")]

    def __str__(self) -> str:
        return self.label


class StepChoices(NamedTuple):
    """What the applicants step shows, and what it stores for each shown choice (same order)."""

    application_types: tuple[ApplicationType, ...]
    relationships: tuple[str, ...]
    stored_types: tuple[ApplicationType, ...]  # the source page's rows
    stored_relationships: tuple[str, ...]
    language: str  # what is shown is in this language (a language code)

    def shown_type(self, stored: str) -> str:
        """The label shown for a stored application type (itself if no longer offered)."""
        labels = [item.label for item in self.stored_types]
        return self.application_types[labels.index(stored)].label if stored in labels else stored

    def shown_relationship(self, stored: str) -> str:
        if stored in self.stored_relationships:
            return self.relationships[self.stored_relationships.index(stored)]
        return stored


# BindingWizardPage.step_choices(): page id -> ((live revision, published at, source), choices).
_PUBLISHED_STEP_CHOICES: dict[int, tuple[tuple, StepChoices]] = {}


def _rows(page: BindingWizardPage) -> tuple[tuple[ApplicationType, ...], tuple[str, ...]]:
    types = tuple(page.application_types.all())
    for item in types:  # kept across requests: not with this request's page object
        item._state.fields_cache.pop("page", None)
    return types, tuple(choice.label for choice in page.relationships.all())


def _read_step_choices(page: BindingWizardPage, source: tuple | None) -> StepChoices:
    """A translation's choices are mapped to its source's by their order (Translate copies the
    rows in order). A translation whose lists no longer match its source's (a row added or
    removed, a type's number of applicants changed) shows its source's lists instead: a
    parent is never offered a choice that cannot be stored as the source's."""
    from binding_forms.languages import content_language

    types, relationships = _rows(page)
    if source is None:
        return StepChoices(types, relationships, types, relationships, content_language(page))
    source_page = BindingWizardPage.objects.get(pk=source[0])
    source_types, source_relationships = _rows(source_page)
    types_match = len(types) == len(source_types) and all(
        shown.applicant_count == stored.applicant_count
        for shown, stored in zip(types, source_types, strict=True)
    )
    if not types_match or len(relationships) != len(source_relationships):
        return StepChoices(
            source_types,
            source_relationships,
            source_types,
            source_relationships,
            content_language(source_page),
        )
    return StepChoices(
        types, relationships, source_types, source_relationships, content_language(page)
    )


class Application(AbstractReviewedSubmission):
    """One student's binding request: a draft while the parent fills the wizard (暫存), then
    submitted into the Wagtail workflow assigned to applications (live stays False until the
    school approves). Where it stands is ``status`` (``reviewed_forms``), the one rule."""

    class Consent(models.TextChoices):
        AGREED = "agreed", _("agreed")
        REFUSED = "refused", _("refused")

    student = models.OneToOneField(
        Student, on_delete=models.CASCADE, related_name="application", verbose_name=_("student")
    )
    page = models.ForeignKey(
        BindingWizardPage,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("wizard"),
    )
    requester = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="binding_applications",
        verbose_name=_("requested by"),
    )
    student_confirmed_at = models.DateTimeField(_("student's data confirmed"), null=True)
    consent = models.CharField(_("consent"), max_length=10, choices=Consent.choices, blank=True)
    consent_revision = models.ForeignKey(
        "wagtailcore.Revision",
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("consent notice agreed to"),
    )
    consented_at = models.DateTimeField(_("consent given"), null=True)
    application_type = models.CharField(_("application type"), max_length=100, blank=True)
    applicant_count = models.PositiveSmallIntegerField(_("applicants"), default=0)

    # The applicants' ID numbers in the draft (step 3 kept with 暫存): only encrypted, as
    # ``id_number_encrypted`` beside the other values.
    personal_keys = ("id_number",)

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")

    def __str__(self) -> str:
        return (
            f"{self.student.name}（{self.student.school.short_name or self.student.school.name}）"
        )


class Applicant(IdNumberFields):
    """A parent or guardian named in an application (第一位, 第二位)."""

    application = ParentalKey(Application, on_delete=models.CASCADE, related_name="applicants")
    position = models.PositiveSmallIntegerField(_("position"))
    name = models.CharField(_("applicant's name"), max_length=100)
    relationship = models.CharField(_("relationship"), max_length=20)
    mobile = models.CharField(_("mobile"), max_length=10)
    email = models.EmailField(_("email"))
    email_verified_at = models.DateTimeField(_("email verified"), null=True, blank=True)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "position"], name="one_applicant_per_position"
            ),
            models.UniqueConstraint(
                fields=["application", "id_number_digest"], name="applicant_once_per_application"
            ),
        ]
        # The listing's 信箱或手機與他戶重複 check looks every applicant's email (any case) and
        # mobile up among all applicants: without these, each page of the registrar's listing
        # compares every applicant with every other (minutes at 10,000 applications).
        indexes = [
            models.Index(Upper("email"), name="applicant_email_upper_idx"),
            models.Index(fields=["mobile"], name="applicant_mobile_idx"),
        ]
        verbose_name = _("applicant")
        verbose_name_plural = _("applicants")

    def __str__(self) -> str:
        return f"{self.name}（{self.relationship}）"
