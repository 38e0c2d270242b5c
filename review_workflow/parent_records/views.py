"""The parent's own records: profile (password, mobile, email, recent sign-ins), 申請解除綁定,
我的個資. Signed-in parents only; every page never cached (shared family phones)."""

import json
from functools import wraps

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from binding_forms.binding.shown_choices import ShownChoices
from review_workflow.models import ParentStudentLink
from review_workflow.parent_records.forms import (
    EmailChangeForm,
    EmailCodeForm,
    MobileForm,
    UnbindingRequestForm,
)
from review_workflow.services.links import LinkNotOwn, link_unbinding_request
from review_workflow.services.personal_data import parent_data_export
from review_workflow.services.profile import (
    EmailNotAvailable,
    parent_email_change,
    parent_email_code_send,
    parent_email_pending,
    parent_mobile_set,
    sign_ins_recent,
)


def parent_page(view):
    """A page of a signed-in parent account: anyone else (a student account, staff) finds no
    such page."""

    @wraps(view)
    @never_cache
    @login_required
    @require_http_methods(["GET", "POST"])
    def wrapper(request, *args, **kwargs):
        if not hasattr(request.user, "parent_account"):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _profile_forms(request, action: str | None) -> dict:
    data = request.POST if request.method == "POST" else None
    account = request.user.parent_account
    return {
        "password_form": PasswordChangeForm(request.user, data if action == "password" else None),
        "mobile_form": MobileForm(
            data if action == "mobile" else None, initial={"mobile": account.mobile}
        ),
        "email_form": EmailChangeForm(data if action == "email" else None),
        "code_form": EmailCodeForm(data if action == "code" else None),
    }


def _profile_post(request, action: str, forms: dict) -> str | None:
    """Carry out the posted form; a success message, or None (its errors are on the form)."""
    user = request.user
    if action == "password" and forms["password_form"].is_valid():
        forms["password_form"].save()
        update_session_auth_hash(request, user)
        return _("Your password was changed.")
    if action == "mobile" and forms["mobile_form"].is_valid():
        parent_mobile_set(
            account=user.parent_account, mobile=forms["mobile_form"].cleaned_data["mobile"]
        )
        return _("Your mobile number was saved.")
    if action == "email" and forms["email_form"].is_valid():
        try:
            return parent_email_code_send(
                user=user, email=forms["email_form"].cleaned_data["email"]
            )
        except EmailNotAvailable:
            forms["email_form"].add_error(
                "email", _("This address cannot be used. Please choose another.")
            )
            return None
    if action == "code" and forms["code_form"].is_valid():
        try:
            changed = parent_email_change(user=user, code=forms["code_form"].cleaned_data["code"])
        except EmailNotAvailable:
            forms["email_form"].add_error(
                "email", _("This address cannot be used. Please choose another.")
            )
            return None
        if changed:
            return _("Your email was changed. Sign in with the new address from now on.")
        forms["code_form"].add_error(
            "code", _("The code is wrong or has expired. Check the mail, or send a new code.")
        )
    return None


@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@parent_page
def parent_profile(request):
    action = request.POST.get("action") if request.method == "POST" else None
    forms = _profile_forms(request, action)
    if action is not None:
        done = _profile_post(request, action, forms)
        if done is not None:
            messages.success(request, done)
            return redirect("parent_profile")
    user = request.user
    links = list(
        ParentStudentLink.objects.of_parent(user)
        .select_related("student__school", "application")
        .order_by("created_at", "pk")
    )
    shown = ShownChoices()
    for link in links:  # stored in zh-Hant; shown as the parent's language's wizard names it
        link.relationship_shown = shown.relationship(
            link.relationship, page_id=link.application.page_id if link.application else None
        )
    return TemplateResponse(
        request,
        "review_workflow/parent_records/profile.html",
        {
            **forms,
            "action": action,
            "account": user.parent_account,
            "pending_email": parent_email_pending(user=user),
            "sign_ins": sign_ins_recent(user=user),
            "links": links,
        },
    )


@parent_page
def parent_unbinding_request(request, link_id: int):
    """申請解除綁定 for one of the parent's own active links; any other id is not found."""
    link = (
        ParentStudentLink.objects.of_parent(request.user)
        .select_related("student__school")
        .filter(pk=link_id)
        .first()
    )
    if link is None:
        raise Http404
    form = UnbindingRequestForm(request.POST if request.method == "POST" else None)
    if link.unbinding_requested_at is None and request.method == "POST" and form.is_valid():
        try:
            link_unbinding_request(
                link_id=link.pk, parent=request.user, reason=form.cleaned_data["reason"]
            )
        except LinkNotOwn:  # revoked meanwhile
            raise Http404 from None
        messages.success(
            request,
            _("Your request was sent to %(school)s. You will be told by mail when it is decided.")
            % {"school": link.student.school.name},
        )
        return redirect("parent_profile")
    return TemplateResponse(
        request,
        "review_workflow/parent_records/unbinding_request.html",
        {"link": link, "form": form},
    )


@parent_page
def parent_data(request):
    """我的個資: what the portal holds about the parent, to read here or download as JSON."""
    data = parent_data_export(user=request.user)
    if request.GET.get("format") == "json":
        response = HttpResponse(
            json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
            content_type="application/json; charset=utf-8",
        )
        stamp = timezone.localdate().isoformat()
        response["Content-Disposition"] = f'attachment; filename="my-data-{stamp}.json"'
        return response
    # The JSON keeps the stored (zh-Hant) labels; the page shows the parent's language's.
    shown = ShownChoices()
    for row in [*data["children"], *data["applications"]]:
        row["relationship_shown"] = shown.relationship(row["relationship"])
    return TemplateResponse(request, "review_workflow/parent_records/data.html", {"data": data})
