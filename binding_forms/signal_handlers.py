"""Sign-in successes and failures, logged without the password or any ID number."""

import logging

from django.contrib.auth.signals import user_logged_in, user_login_failed

from binding_forms.accounts.sign_in_name import sign_in_name_recorded

logger = logging.getLogger("binding_forms.signin")


def _address(request) -> str:
    return getattr(request, "axes_ip_address", None) or (
        request.META.get("REMOTE_ADDR", "-") if request is not None else "-"
    )


def log_sign_in(sender, request, user, **kwargs):
    logger.info(
        "sign-in succeeded: account=%s address=%s",
        sign_in_name_recorded(user.get_username()),
        _address(request),
    )


def log_sign_in_failure(sender, credentials, request=None, **kwargs):
    # Django has already replaced the password in ``credentials`` with asterisks; a name typed
    # with an ID number in it is logged as django-axes records it, a keyed digest.
    logger.warning(
        "sign-in failed: account=%s address=%s",
        sign_in_name_recorded(credentials.get("username")) or "-",
        _address(request),
    )


def connect():
    from django.db.models.signals import post_delete, post_save
    from wagtail.models import Locale

    from binding_forms import languages

    # The locales are read once a process (languages.py): again after any change.
    post_save.connect(languages.forget, sender=Locale, dispatch_uid="binding_forms.locales_saved")
    post_delete.connect(
        languages.forget, sender=Locale, dispatch_uid="binding_forms.locales_deleted"
    )
    user_logged_in.connect(log_sign_in, dispatch_uid="binding_forms.log_sign_in")
    user_login_failed.connect(log_sign_in_failure, dispatch_uid="binding_forms.log_sign_in_failure")
