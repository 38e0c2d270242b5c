"""The registration office's screens in the Wagtail admin: students, password resets, roster."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView
from wagtail.admin.views import generic
from wagtail.admin.widgets.button import HeaderButton, MenuItem
from wagtail.permissions import policy_registry

from binding_forms.models import School, Student
from binding_forms.registry.roster import RosterFileError, roster_import
from binding_forms.registry.scope import schools_served_by
from binding_forms.registry.services import student_password_reset


def scoped_student(user, pk, action: str) -> Student:
    """A student of the user's own schools, or 404: another school's pupils do not exist here."""
    policy = policy_registry.get_by_type(Student)
    student = (
        policy.instances_user_has_permission_for(user, action)
        .select_related("school", "user")
        .filter(pk=pk)
        .first()
    )
    if student is None:
        raise Http404
    return student


class StudentIndexView(generic.IndexView):
    def get_base_queryset(self):
        return (
            self.permission_policy.instances_user_has_permission_for(self.request.user, "view")
            .select_related("school", "user")
            .order_by("school__moe_code", "grade", "class_number", "student_number")
        )

    @property
    def header_buttons(self):
        buttons = super().header_buttons
        if self.permission_policy.user_has_permission(self.request.user, "import"):
            buttons.append(
                HeaderButton(
                    _("Import the roster"),
                    url=reverse("student:import_roster"),
                    icon_name="upload",
                )
            )
        return buttons

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if self.permission_policy.user_has_permission(self.request.user, "reset_password"):
            buttons.append(
                MenuItem(
                    _("Reset the password"),
                    url=reverse("student:reset_password", args=(instance.pk,)),
                    icon_name="key",
                    priority=40,
                )
            )
        return buttons


class StudentInspectView(generic.InspectView):
    def get_object(self, queryset=None):
        return scoped_student(self.request.user, self.pk, "view")


class StudentPasswordResetView(generic.base.WagtailAdminTemplateMixin, FormView):
    """Back to the first-password state: the child's ID number, then a forced change."""

    template_name = "binding_forms/admin/student_password_reset.html"
    form_class = forms.Form
    header_icon = "key"

    def dispatch(self, request, pk):
        self.student = scoped_student(request.user, pk, "reset_password")
        return super().dispatch(request, pk)

    def get_page_title(self):
        return _("Reset the password")

    def get_page_subtitle(self):
        return str(self.student)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("student:index"), "label": _("Students")},
            {"url": "", "label": _("Reset the password")},
        ]

    def get_context_data(self, **kwargs):
        return super().get_context_data(student=self.student, **kwargs)

    def form_valid(self, form):
        student_password_reset(student=self.student, by=self.request.user)
        messages.success(
            self.request,
            _(
                "The password of %(account)s is reset: the first password is the child's ID "
                "number again, and a new password must be chosen at the next sign-in."
            )
            % {"account": self.student.account},
        )
        return redirect("student:index")


class RosterUploadForm(forms.Form):
    school = forms.ModelChoiceField(School.objects.none(), label=gettext_lazy("School"))
    file = forms.FileField(
        label=gettext_lazy("Roster file (CSV)"),
        help_text=gettext_lazy("The registry system's CSV export, in UTF-8 or Big5."),
    )
    full = forms.BooleanField(
        label=gettext_lazy("This is the whole school's roster"),
        required=False,
        help_text=gettext_lazy(
            "Students of the school missing from the file are then marked as having left "
            "(they are not deleted)."
        ),
    )
    MAX_BYTES = 30 * 1024 * 1024

    def __init__(self, *args, schools, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools
        if schools.count() == 1:
            self.fields["school"].initial = schools.get()

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 30 MB."))
        return upload


class RosterImportView(generic.base.WagtailAdminTemplateMixin, FormView):
    template_name = "binding_forms/admin/roster_import.html"
    form_class = RosterUploadForm
    header_icon = "upload"

    def dispatch(self, request, *args, **kwargs):
        policy = policy_registry.get_by_type(Student)
        if not policy.user_has_permission(request.user, "import"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return _("Import the roster")

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("student:index"), "label": _("Students")},
            {"url": "", "label": _("Import the roster")},
        ]

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "schools": schools_served_by(self.request.user)}

    def form_valid(self, form):
        try:
            report = roster_import(
                data=form.cleaned_data["file"].read(),
                school=form.cleaned_data["school"],
                full=form.cleaned_data["full"],
            )
        except RosterFileError as error:
            form.add_error("file", error)
            return self.form_invalid(form)
        return self.render_to_response(self.get_context_data(form=form, report=report))
