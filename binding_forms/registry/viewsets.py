from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.model import ModelViewSet

from binding_forms.models import Student
from binding_forms.registry import admin_views


def enrolment_label(student) -> str:
    return _("Enrolled") if student.enrolled else _("Left the school")


class StudentViewSet(ModelViewSet):
    """Read-only: the registry system is the source of students; the portal imports them."""

    model = Student
    icon = "group"
    menu_label = _("Students")
    menu_order = 300
    add_to_admin_menu = True
    index_view_class = admin_views.StudentIndexView
    inspect_view_class = admin_views.StudentInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    form_fields = ["name"]  # never shown: the permission policy allows no add or change
    inspect_view_fields = ["school", "class_label", "student_number", "name", "enrolled"]
    list_display = [
        Column("class_label", label=_("Class")),
        "student_number",
        "name",
        Column("school", label=_("school")),
        Column("account_state", label=_("account")),
        # Words, not Python's True/False (a raw "True" in a zh-Hant admin, issue 13).
        Column("enrolled", label=_("enrolled"), accessor=enrolment_label, sort_key="enrolled"),
    ]
    list_filter = ["grade", "enrolled"]
    search_fields = ["name", "student_number"]
    search_backend_name = None
    list_per_page = 50

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path(
                "reset-password/<int:pk>/",
                self.construct_view(admin_views.StudentPasswordResetView),
                name="reset_password",
            ),
            path(
                "import/",
                self.construct_view(admin_views.RosterImportView),
                name="import_roster",
            ),
        ]
