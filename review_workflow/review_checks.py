"""The automatic checks a registrar sees beside each application, and its review status.

Three checks, all by keyed digest or exact value, never by a clear ID number:

- *known guardian*: every applicant's ID digest equals that of a guardian the registry knows for
  the student (``RegistryGuardian``);
- *linked to a sibling*: an applicant already has an active link, through the parent account of
  the same ID digest, to another student;
- *contact reused*: an applicant's email or mobile is given by an applicant of another family —
  another application, and a different person (another ID digest: the same parent applying for
  two siblings is not a warning).

``with_review_data`` adds them (and the status) to an application queryset as annotations, so a
listing of any length runs a constant number of queries; ``applicant_checks`` gives the same
checks per applicant for one application's screen.
"""

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Cast

from binding_forms.models import Applicant, Application, RegistryGuardian
from review_workflow.models import ParentStudentLink


def _applicant_unknown_to_registry():
    """An applicant of the application whose digest matches no guardian of the student."""
    known = RegistryGuardian.objects.filter(
        student_id=OuterRef("application__student_id"),
        id_number_digest=OuterRef("id_number_digest"),
    )
    return Exists(Applicant.objects.filter(application=OuterRef("pk")).exclude(Exists(known)))


def _applicant_linked_to_sibling():
    sibling_links = (
        ParentStudentLink.objects.active()
        .filter(parent__parent_account__id_number_digest=OuterRef("id_number_digest"))
        .exclude(student_id=OuterRef("application__student_id"))
    )
    return Exists(
        Applicant.objects.filter(application=OuterRef("pk")).filter(Exists(sibling_links))
    )


def _contact_reused_by_another_family():
    others = Applicant.objects.filter(
        Q(email__iexact=OuterRef("email")) | Q(mobile=OuterRef("mobile"))
    ).exclude(application_id=OuterRef("application_id"))
    others = others.exclude(id_number_digest=OuterRef("id_number_digest"))
    return Exists(Applicant.objects.filter(application=OuterRef("pk")).filter(Exists(others)))


def registry_match_outcome():
    """The registry-match step's outcome on the application (自動核准, 需人工審核), if it had one:
    from the latest such step, as text."""
    from review_workflow.models import RegistryMatchTaskState

    return Subquery(
        RegistryMatchTaskState.objects.filter(
            workflow_state__base_content_type=ContentType.objects.get_for_model(Application),
            workflow_state__object_id=Cast(OuterRef("pk"), CharField()),
        )
        .exclude(outcome="")
        .order_by("-started_at", "-pk")
        .values("outcome")[:1]
    )


def with_review_data(queryset):
    """Annotate ``review_status``, the three checks and the registry match's outcome; one query
    whatever the page size."""
    checked = queryset.annotate(
        registry_match=registry_match_outcome(),
        has_applicants=Exists(Applicant.objects.filter(application=OuterRef("pk"))),
        unknown_applicant=_applicant_unknown_to_registry(),
        sibling_link=_applicant_linked_to_sibling(),
        contact_reused=_contact_reused_by_another_family(),
    )
    return Application.with_status(checked)


@dataclass(frozen=True)
class ApplicantCheck:
    applicant: Applicant
    guardian: RegistryGuardian | None  # the registry's guardian with the same ID, if any
    sibling_link_count: int  # active links of this person to other students
    reused_email: bool  # another family gives the same email
    reused_mobile: bool  # another family gives the same mobile


def applicant_checks(application: Application, applicants=None) -> list[ApplicantCheck]:
    """The checks for each applicant of one application (a handful of queries, once)."""
    applicants = list(applicants if applicants is not None else application.applicants.all())
    if not applicants:
        return []
    digests = {a.id_number_digest for a in applicants}
    guardians = {
        g.id_number_digest: g
        for g in RegistryGuardian.objects.filter(
            student_id=application.student_id, id_number_digest__in=digests
        )
    }
    sibling_counts: dict[str, int] = {}
    for digest in (
        ParentStudentLink.objects.active()
        .filter(parent__parent_account__id_number_digest__in=digests)
        .exclude(student_id=application.student_id)
        .values_list("parent__parent_account__id_number_digest", flat=True)
    ):
        sibling_counts[digest] = sibling_counts.get(digest, 0) + 1
    same_contact = Q()
    for applicant in applicants:
        same_contact |= Q(email__iexact=applicant.email) | Q(mobile=applicant.mobile)
    others = list(
        Applicant.objects.exclude(application_id=application.pk)
        .filter(same_contact)
        .values_list("email", "mobile", "id_number_digest")
    )
    checks = []
    for applicant in applicants:
        reused_email = any(
            email.lower() == applicant.email.lower() and digest != applicant.id_number_digest
            for email, _mobile, digest in others
        )
        reused_mobile = any(
            mobile == applicant.mobile and digest != applicant.id_number_digest
            for _email, mobile, digest in others
        )
        checks.append(
            ApplicantCheck(
                applicant=applicant,
                guardian=guardians.get(applicant.id_number_digest),
                sibling_link_count=sibling_counts.get(applicant.id_number_digest, 0),
                reused_email=reused_email,
                reused_mobile=reused_mobile,
            )
        )
    return checks
