"""What a registrar reaches in the admin: their own schools' rows, else 404."""

import functools

from django.contrib.admin.utils import unquote
from django.http import Http404
from wagtail.permissions import policy_registry

from binding_forms.models import Application


def scoped_objects(model, user, actions=("view", "change")):
    """The rows of ``model`` (applications, form submissions) of the schools ``user`` serves
    (all, for a superuser): its permission policy, which asks the one scope rule."""
    policy = policy_registry.get_by_type(model)
    return policy.instances_user_has_any_permission_for(user, list(actions))


def scoped_applications(user, actions=("view", "change")):
    return scoped_objects(Application, user, actions)


def school_scoped(view, model):
    """Wrap a viewset URL: an object of another school answers 404, whatever the view.

    Wagtail's generic views check model permissions, not which object; every URL carrying a
    ``pk`` goes through this first, so a registrar cannot reach another school's rows by URL.
    """

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if "pk" in kwargs:
            policy = policy_registry.get_by_type(model)
            scoped = policy.instances_user_has_any_permission_for(
                request.user, ["view", "change", "revoke"]
            )
            if not scoped.filter(pk=unquote(str(kwargs["pk"]))).exists():
                raise Http404
        return view(request, *args, **kwargs)

    return wrapped
