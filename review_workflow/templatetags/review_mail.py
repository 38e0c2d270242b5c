from django import template

from review_workflow.models import OutgoingMail

register = template.Library()


@register.inclusion_tag("review_workflow/includes/mail_status.html", takes_context=True)
def mail_status(context, application, inside_form=False):
    """The application's notification mail and what became of each; a mail that needs the
    registrar (bounced, refused, given up) with a form to correct the address and resend it.

    ``{% load review_mail %}{% mail_status application %}`` in an admin template; with
    ``inside_form=True`` (the edit view's panel, itself inside a form) a link to the resend page
    stands for the form, since forms cannot nest.
    """
    request = context.get("request")
    return {
        "mails": list(
            OutgoingMail.objects.for_application(application).prefetch_related("resends")
        ),
        "csrf_token": context.get("csrf_token"),
        "inside_form": inside_form,
        "next": request.get_full_path() if request is not None else "",
    }
