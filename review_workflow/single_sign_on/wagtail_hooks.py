"""Registering a city service (an OpenID Connect client) in the Wagtail admin."""

from django.forms.models import modelform_factory
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet

from review_workflow.single_sign_on.forms import ServiceApplicationForm
from review_workflow.single_sign_on.models import ServiceApplication


class ServiceApplicationViewSet(ModelViewSet):
    model = ServiceApplication
    icon = "key"
    menu_label = _("Services (single sign-on)")
    add_to_settings_menu = True
    list_display = ["name", "client_id", "client_type", "children_allowed", "created"]
    search_fields = ["name", "client_id"]
    form_fields = [
        "name",
        "client_id",
        "client_secret",
        "client_type",
        "redirect_uris",
        "post_logout_redirect_uris",
        "profile_allowed",
        "email_allowed",
        "children_allowed",
        "pkce_required",
    ]

    def get_form_class(self, for_update=False):
        # Wagtail's own factory call, on a base form that refuses weak typed secrets.
        return modelform_factory(
            self.model,
            form=ServiceApplicationForm,
            formfield_callback=self.formfield_for_dbfield,
            fields=self.form_fields,
        )


@hooks.register("register_admin_viewset")
def register_service_viewset():
    return ServiceApplicationViewSet("single_sign_on_services")
