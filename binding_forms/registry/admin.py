"""The city's registry of districts and schools, for administrators (wagtail-modeladmin).

Django's model permissions decide who sees it (superusers; the Registrars group holds none on
schools or districts). Who serves a school in which office is edited here, and read only by
``binding_forms.registry.scope``.
"""

from django.contrib.admin import SimpleListFilter
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, InlinePanel, ObjectList
from wagtail_modeladmin.options import ModelAdmin, ModelAdminGroup, modeladmin_register

from binding_forms.models import District, School


class DistrictFilter(SimpleListFilter):
    """By district, without Django's related-field filter (it asks django.contrib.admin's site,
    which is not installed)."""

    title = _("district")
    parameter_name = "district"

    def lookups(self, request, model_admin):
        return [(str(district.pk), district.name) for district in District.objects.all()]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():  # anything else lists every school, never an error
            return queryset.filter(district_id=int(value))
        return queryset


class DistrictAdmin(ModelAdmin):
    model = District
    menu_label = _("Districts")
    menu_icon = "site"
    list_display = ("name", "name_en", "postal_code")
    search_fields = ("name", "name_en", "postal_code")
    edit_handler = ObjectList(
        [FieldPanel("name"), FieldPanel("name_en"), FieldPanel("postal_code")]
    )


class SchoolAdmin(ModelAdmin):
    model = School
    menu_label = _("Schools")
    menu_icon = "home"
    list_display = ("name", "short_name", "moe_code", "district", "level")
    list_filter = (DistrictFilter, "level")
    search_fields = ("name", "short_name", "moe_code")
    list_select_related = ("district",)
    edit_handler = ObjectList(
        [
            FieldPanel("name"),
            FieldPanel("short_name"),
            FieldPanel("moe_code"),
            FieldPanel("district"),
            FieldPanel("level"),
            FieldPanel("address"),
            FieldPanel("registration_office_contact"),
            InlinePanel("staff", label=_("office staff")),
        ]
    )


@modeladmin_register
class CityRegistryAdminGroup(ModelAdminGroup):
    menu_label = _("City registry")
    menu_icon = "list-ul"
    menu_order = 250
    items = (SchoolAdmin, DistrictAdmin)
