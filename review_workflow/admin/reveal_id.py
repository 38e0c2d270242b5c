"""Showing one ID number in clear, recorded in the school's history."""

from django.http import Http404
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView
from wagtail.admin.views import generic
from wagtail.log_actions import log

from review_workflow.admin.scoping import scoped_applications


@method_decorator([require_POST, never_cache], name="dispatch")
class RevealIdView(generic.base.WagtailAdminTemplateMixin, TemplateView):
    """Show one ID number in clear to a registrar of the application's school: a POST (the ID
    never travels in a URL), an audit entry (who, when, which), and the number only in this
    response, which nothing caches."""

    template_name = "review_workflow/admin/id_revealed.html"
    header_icon = "view"

    def dispatch(self, request, pk):
        self.application = (
            scoped_applications(request.user, actions=("change",))
            .select_related("student__school")
            .filter(pk=pk)
            .first()
        )
        if self.application is None:
            raise Http404
        return super().dispatch(request, pk)

    def get_page_title(self):
        return _("ID number")

    def get_page_subtitle(self):
        return str(self.application)

    def post(self, request, pk):
        which, _sep, person_pk = request.POST.get("which", "").partition(":")
        application = self.application
        if which == "applicant" and person_pk.isdigit():
            person = application.applicants.filter(pk=person_pk).first()
        elif which == "guardian" and person_pk.isdigit():
            person = application.student.registry_guardians.filter(pk=person_pk).first()
        elif which == "student":
            person = application.student
        else:
            person = None
        if person is None or not person.id_number_encrypted:
            raise Http404
        id_number = person.id_number_revealed()
        log(
            instance=application,
            action="review_workflow.reveal_id",
            user=request.user,
            data={"which": which, "id": person.pk, "name": person.name},
        )
        edit_url = reverse(application.snippet_viewset.get_url_name("edit"), args=(application.pk,))
        context = self.get_context_data(
            application=application,
            person=person,
            which=which,
            id_number=id_number,
            back_url=edit_url,
        )
        return self.render_to_response(context)
