"""Who may sign in to a service, what the service receives, and the parent's consent."""

import enum

from axes.models import AccessAttempt
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from oauth2_provider.models import (
    get_access_token_model,
    get_grant_model,
    get_id_token_model,
    get_refresh_token_model,
)

from binding_forms.accounts.sign_in_name import sign_in_name_recorded
from review_workflow.models import ParentAccount, ParentStudentLink
from review_workflow.single_sign_on.models import ServiceConsent, StudentSubject, Subject

ROLE_PARENT = "家長"  # tpeduSSO's role name for a parent


class Refusal(enum.Enum):
    """Why a sign-in to a service cannot be completed; each has its own zh-Hant page text."""

    NOT_A_PARENT = "not_a_parent"
    PASSWORD_UNCHANGED = "password_unchanged"  # noqa: S105  (a reason, not a password)
    LOCKED = "locked"
    NO_CHILDREN = "no_children"

    @property
    def message(self) -> str:
        return {
            Refusal.NOT_A_PARENT: _(
                "The city's services sign in parents through this portal. Staff and student "
                "accounts sign in to them as before."
            ),
            Refusal.PASSWORD_UNCHANGED: _(
                "Please set a password of your own first; then sign in to the service again."
            ),
            Refusal.LOCKED: _(
                "Your account is locked after too many wrong passwords. Please try again later."
            ),
            Refusal.NO_CHILDREN: _(
                "This service needs a bound child, and no binding of yours has been approved yet. "
                "It can be used once a school approves your application."
            ),
        }[self]


def account_locked(*, user) -> bool:
    """Whether django-axes holds the account locked now (counted by its sign-in name)."""
    attempts = AccessAttempt.objects.filter(
        username=sign_in_name_recorded(user.get_username()),
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
    )
    if settings.AXES_COOLOFF_TIME:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - settings.AXES_COOLOFF_TIME)
    return attempts.exists()


def service_sign_in_refusal(*, user, scopes: list[str]) -> Refusal | None:
    """None when ``user`` may complete a sign-in to a service asking for ``scopes``."""
    if not user.is_active or not ParentAccount.objects.filter(user=user).exists():
        return Refusal.NOT_A_PARENT
    if user.password_change_required:
        return Refusal.PASSWORD_UNCHANGED
    if account_locked(user=user):
        return Refusal.LOCKED
    if "children" in scopes and not ParentStudentLink.objects.active().filter(parent=user).exists():
        return Refusal.NO_CHILDREN
    return None


def subject_for(*, user) -> str:
    """The user's stable ``sub``, created the first time a service asks."""
    return str(Subject.objects.get_or_create(user=user)[0].uuid)


def children_claim(*, user) -> list[dict]:
    """Each actively bound child as a service receives it: never an ID number. Two queries
    whatever the number of children (three the first time, when identifiers are created)."""
    links = list(
        ParentStudentLink.objects.active()
        .filter(parent=user)
        .select_related("student__school", "student__oidc_subject")
        .order_by("created_at", "pk")
    )
    missing = [link.student for link in links if not hasattr(link.student, "oidc_subject")]
    if missing:
        StudentSubject.objects.bulk_create(
            [StudentSubject(student=student) for student in missing], ignore_conflicts=True
        )
        created = StudentSubject.objects.filter(student__in=missing)
        by_student = {subject.student_id: subject for subject in created}
        for student in missing:
            student.oidc_subject = by_student[student.pk]
    return [
        {
            "uuid": str(link.student.oidc_subject.uuid),
            "name": link.student.name,
            "school": {"moe_code": link.student.school.moe_code, "name": link.student.school.name},
            "grade": link.student.grade,
            "class": link.student.class_number,
            "student_number": link.student.student_number,
            "relationship": link.relationship,
        }
        for link in links
    ]


def parent_claims(*, user, scopes: list[str]) -> dict:
    """The OpenID Connect claims ``scopes`` give a service, beyond ``sub``."""
    claims: dict = {}
    if "profile" in scopes:
        claims["name"] = user.get_full_name() or user.get_username()
        claims["role"] = ROLE_PARENT
    if "email" in scopes:
        claims["email"] = user.email
        # The address a decision mailed the first password to, and the sign-in name since.
        claims["email_verified"] = True
    if "children" in scopes:
        claims["children"] = children_claim(user=user)
    return claims


# tpeduSSO's answers, field for field, as its source has them: leejoneshane/tpeduSSO,
# htdocs/app/Http/Controllers/Api_V2/v2_profileController.php (me, email, profile; routes in
# htdocs/routes/api.php, each behind its own Passport scope), commit 990e589 (its last).
TPEDU_TRUE = "true"  # tpeduSSO sends email_verified as the string "true" or "false"


def tpedu_me(*, user) -> dict:
    """``/api/v2/me`` (scope ``me``): tpeduSSO's ``me()`` answers the name and the email."""
    return {"name": user.get_full_name() or user.get_username(), "email": user.email}


def tpedu_email(*, user) -> dict:
    """``/api/v2/email`` (scope ``email``): tpeduSSO's ``email()`` answers the email alone."""
    return {"email": user.email}


def tpedu_profile(*, user, scopes: list[str]) -> dict:
    """``/api/v2/profile`` (scope ``profile``) of a parent, as tpeduSSO's ``profile()`` answers
    one. Its ``child`` (the children's uuids) only appears when there is one (PHP adds the key
    with the first child); here the token must also carry ``children``, which the parent agreed
    to. The email is the sign-in name a decision's mail proved, hence verified."""
    account = ParentAccount.objects.only("mobile").get(user=user)
    profile = {
        "role": ROLE_PARENT,
        "uuid": subject_for(user=user),
        "name": user.get_full_name() or user.get_username(),
        "email": user.email,
        "email_verified": TPEDU_TRUE,
        "mobile": account.mobile,
    }
    children = children_claim(user=user) if "children" in scopes else []
    if children:
        profile["child"] = [child["uuid"] for child in children]
    return profile


def consent_covers(*, user, application, scopes: list[str]) -> bool:
    consent = ServiceConsent.objects.filter(user=user, application=application).first()
    return consent is not None and set(scopes) <= set(consent.scope_list)


@transaction.atomic
def consent_record(*, user, application, scopes: list[str]) -> ServiceConsent:
    """Remember what the parent agreed to give ``application`` (and when it was last used)."""
    consent, created = ServiceConsent.objects.select_for_update().get_or_create(
        user=user, application=application, defaults={"scopes": " ".join(sorted(scopes))}
    )
    if not created:
        consent.scopes = " ".join(sorted(set(consent.scope_list) | set(scopes)))
    consent.last_signed_in_at = timezone.now()
    consent.save()
    return consent


@transaction.atomic
def service_authorization_revoke(*, user, application) -> None:
    """撤銷: the service loses every token it holds for ``user``, and must ask consent again."""
    get_refresh_token_model().objects.filter(user=user, application=application).delete()
    get_access_token_model().objects.filter(user=user, application=application).delete()
    get_id_token_model().objects.filter(user=user, application=application).delete()
    get_grant_model().objects.filter(user=user, application=application).delete()
    ServiceConsent.objects.filter(user=user, application=application).delete()
