"""Printing a class's binding letters (親子帳號綁定通知單), from the binding-progress panel."""

from django import forms
from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.generic import FormView
from wagtail.admin.views import generic

from binding_forms.letters.pdf import letters_pdf
from binding_forms.letters.services import letters_issue
from binding_forms.models import BindingLetter, Student
from binding_forms.registry.scope import schools_served_by
from review_workflow.models import ParentStudentLink


def class_label(grade: int, class_number: int) -> str:
    return f"{grade}年{class_number:02d}班"


def letter_link(code: str) -> str:
    """The address a letter's QR code holds: the portal's public address, as in its mail."""
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse("binding_letter", args=(code,))


class LetterPrintForm(forms.Form):
    UNBOUND = "unbound"
    ALL = "all"
    students = forms.ChoiceField(
        label=gettext_lazy("Print letters for"),
        choices=[
            (UNBOUND, gettext_lazy("Students without a bound parent")),
            (ALL, gettext_lazy("The whole class")),
        ],
        initial=UNBOUND,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose whose letters to print.")},
    )

    def __init__(self, *args, students, **kwargs):
        self.class_students = students
        super().__init__(*args, **kwargs)

    def clean_students(self) -> list[Student]:
        if self.cleaned_data["students"] == self.ALL:
            return self.class_students
        chosen = [student for student in self.class_students if not student.bound]
        if not chosen:
            raise forms.ValidationError(
                _("Every student of this class has a bound parent: no letter to print."),
                code="none_unbound",
            )
        return chosen


@method_decorator(never_cache, name="dispatch")
class BindingLettersView(generic.base.WagtailAdminTemplateMixin, FormView):
    """GET: the class, what printing does (older letters void) and the letters printed so far;
    POST: the PDF. The school is one the user serves (the scope rule), else 404."""

    template_name = "review_workflow/admin/binding_letters.html"
    form_class = LetterPrintForm
    header_icon = "doc-full"

    def dispatch(self, request, school_pk: int, grade: int, class_number: int):
        self.school = get_object_or_404(schools_served_by(request.user), pk=school_pk)
        self.grade, self.class_number = grade, class_number
        active_link = ParentStudentLink.objects.active().filter(student=OuterRef("pk"))
        self.students = list(
            Student.objects.filter(
                school=self.school, grade=grade, class_number=class_number, enrolled=True
            )
            .select_related("school__district")
            .annotate(bound=Exists(active_link))
            .order_by("student_number")
        )
        if not self.students:
            raise Http404
        return super().dispatch(request, school_pk, grade, class_number)

    @property
    def class_label(self) -> str:
        return class_label(self.grade, self.class_number)

    def get_page_title(self):
        return _("Binding letters")

    def get_page_subtitle(self):
        return f"{self.school.name} {self.class_label}"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "students": self.students}

    def get_context_data(self, **kwargs):
        letters = BindingLetter.objects.filter(student__in=self.students)
        printings = (
            letters.values("printed_at", "printed_by__username", "printed_by__first_name")
            .annotate(
                count=Count("pk"),
                used=Count("pk", filter=Q(used_at__isnull=False)),
                voided=Count("pk", filter=Q(voided_at__isnull=False)),
            )
            .order_by("-printed_at")[:10]
        )
        return super().get_context_data(
            school=self.school,
            class_label=self.class_label,
            total=len(self.students),
            unbound=sum(1 for student in self.students if not student.bound),
            open_letters=letters.filter(used_at__isnull=True, voided_at__isnull=True).count(),
            days=settings.BINDING_LETTER_DAYS,
            printings=printings,
            **kwargs,
        )

    def form_valid(self, form):
        issued = letters_issue(students=form.cleaned_data["students"], printed_by=self.request.user)
        pdf = letters_pdf(letters=issued, link_for=letter_link)
        response = HttpResponse(pdf, content_type="application/pdf")
        filename = (
            f"binding-letters-{self.school.moe_code}-{self.grade}-{self.class_number:02d}.pdf"
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
