"""Forms the schools' offices review, built by editors with no code (線上請假, 社團活動報名…): a
parent fills one in for a child bound to their account, and the office of the child's school
that the form's workflow names approves it or asks for changes."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField

from binding_forms.models import Student
from binding_forms.reviewed_forms.builder import (
    AbstractBuiltFormSubmission,
    AbstractReviewedFormField,
    ReviewedFormPage,
)


class SchoolFormPage(ReviewedFormPage):
    """A form for parents about one of their bound children, reviewed in the workflow the
    editor picks (e.g. 學務處 of the child's school)."""

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "link", "ol", "ul"])
    thanks_text = RichTextField(
        _("text after sending"), blank=True, features=["bold", "link", "ol", "ul"]
    )
    workflow = models.ForeignKey(
        "wagtailcore.Workflow",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("review workflow"),
        help_text=_("Who reviews what parents send, e.g. the student affairs office."),
    )

    content_panels = [
        *ReviewedFormPage.content_panels,
        FieldPanel("intro"),
        InlinePanel("form_fields", label=_("Form fields")),
        FieldPanel("thanks_text"),
        MultiFieldPanel([FieldPanel("workflow")], heading=_("Review")),
    ]
    parent_page_types = ["home.HomePage"]
    subpage_types: list[str] = []
    child_field = "student"

    class Meta:
        verbose_name = _("school form")
        verbose_name_plural = _("school forms")

    @property
    def submission_model(self):
        return SchoolFormSubmission

    def child_label(self, child: Student) -> str:
        return f"{child.name}（{child.school.name} {child.class_label}）"

    def child_choices(self, request) -> list[Student]:
        """The children bound to the signed-in parent (active links only), once per request."""
        if (cached := getattr(request, "_school_form_children", None)) is not None:
            return cached
        from review_workflow.models.parents import ParentStudentLink

        children = []
        if request.user.is_authenticated and request.user.is_active:
            links = (
                ParentStudentLink.objects.active()
                .filter(parent=request.user, student__enrolled=True)
                .select_related("student__school")
                .order_by("student__name", "student_id")
            )
            children = list({link.student_id: link.student for link in links}.values())
        request._school_form_children = children
        return children


class SchoolFormField(AbstractReviewedFormField):
    page = ParentalKey(SchoolFormPage, on_delete=models.CASCADE, related_name="form_fields")


class SchoolFormSubmission(AbstractBuiltFormSubmission):
    """What a parent sent on a school form, about one of their children."""

    page = models.ForeignKey(
        SchoolFormPage,
        on_delete=models.PROTECT,
        related_name="submissions",
        verbose_name=_("form"),
    )
    student = models.ForeignKey(
        Student,
        on_delete=models.PROTECT,
        related_name="form_submissions",
        verbose_name=_("student"),
    )

    class Meta:
        constraints = [
            # One unsent draft per parent and form: two first visits at once (a double click)
            # find the same draft.
            models.UniqueConstraint(
                fields=["page", "requester"],
                condition=models.Q(submitted_at__isnull=True),
                name="one_draft_per_parent_and_school_form",
            )
        ]
        indexes = [models.Index(fields=["page", "requester", "created_at"])]
        verbose_name = _("form submission")
        verbose_name_plural = _("form submissions")

    def __str__(self) -> str:
        return f"{self.page.title}：{self.student.name}"

    @property
    def child_label(self) -> str:
        return f"{self.student.name}（{self.student.class_label}）"

    def get_workflow(self):
        """The workflow the form's page names (every form its own reviewers)."""
        workflow = self.page.workflow
        return workflow if workflow is not None and workflow.active else None
