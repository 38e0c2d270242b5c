"""Issuing, finding and using binding letters: the rules every view and the benchmark share."""

import datetime
import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from wagtail.log_actions import log

from binding_forms.models import BindingLetter, Student
from binding_forms.registry.scope import serves_school

# No 0/O, 1/I/L: a parent types the code from paper when the QR code will not scan.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 16  # about 79 bits: not guessable in a letter's lifetime, and a password is asked


@dataclass(frozen=True)
class IssuedLetter:
    """A letter just issued and its code, which exists only here, on paper and in the PDF."""

    letter: BindingLetter
    code: str

    @property
    def student(self) -> Student:
        return self.letter.student


def letter_code_normalize(code: str) -> str:
    """What a parent typed (lower case, spaces, the hyphens printed between groups) as stored."""
    return "".join(code.split()).replace("-", "").upper()


def letter_code_digest(code: str) -> str:
    """The stored form of a code: a random code of this length needs no key, only a hash."""
    return hashlib.sha256(letter_code_normalize(code).encode()).hexdigest()


def letter_code_display(code: str) -> str:
    """``ABCD-EFGH-JKMN-PQRS``: in groups of four, as printed."""
    return "-".join(code[index : index + 4] for index in range(0, len(code), 4))


def letter_expiry(now: datetime.datetime) -> datetime.datetime:
    """The end of the last day printed on the letter, ``BINDING_LETTER_DAYS`` days from today."""
    last_day = timezone.localdate(now) + datetime.timedelta(days=settings.BINDING_LETTER_DAYS)
    next_day = last_day + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(next_day, datetime.time()))


def letter_last_day(letter: BindingLetter) -> datetime.date:
    """The date printed as the letter's last valid day."""
    return timezone.localdate(letter.expires_at) - datetime.timedelta(days=1)


def letters_issue(*, students: list[Student], printed_by) -> list[IssuedLetter]:
    """New letters for ``students``, voiding every letter of theirs still open, and logged.

    All or nothing, in one transaction with the students' rows locked: two registrars printing
    the same class at once come one after the other, so each student keeps exactly one letter
    a family can use (the database's constraint holds it too). The user must serve every
    student's school (the scope rule); a student of another school refuses the whole print.
    """
    if not students:
        return []
    for student in students:
        if not serves_school(printed_by, student.school_id):
            raise PermissionDenied
    ids = sorted(student.pk for student in students)
    with transaction.atomic():
        # Locked in one order by every print, so two prints of overlapping classes cannot
        # deadlock.
        list(Student.objects.select_for_update().filter(pk__in=ids).order_by("pk").values("pk"))
        now = timezone.now()
        open_letters = BindingLetter.objects.filter(
            student_id__in=ids, used_at__isnull=True, voided_at__isnull=True
        )
        voided = dict.fromkeys(ids, 0)
        for student_id in open_letters.values_list("student_id", flat=True):
            voided[student_id] += 1
        open_letters.update(voided_at=now)
        expires_at = letter_expiry(now)
        codes = [
            "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH)) for _ in students
        ]
        letters = BindingLetter.objects.bulk_create(
            BindingLetter(
                student=student,
                code_digest=letter_code_digest(code),
                printed_by=printed_by,
                printed_at=now,
                expires_at=expires_at,
            )
            for student, code in zip(students, codes, strict=True)
        )
        for letter in letters:
            log(
                instance=letter.student,
                action="binding_forms.letter_printed",
                user=printed_by,
                data={
                    "letter": letter.pk,
                    "expires": timezone.localdate(expires_at).isoformat(),
                    "voided": voided[letter.student_id],
                },
            )
    return [IssuedLetter(letter, code) for letter, code in zip(letters, codes, strict=True)]


def letter_for_code(code: str) -> BindingLetter | None:
    """The letter a code was printed on, in whatever state, or None."""
    normalized = letter_code_normalize(code)
    if len(normalized) != CODE_LENGTH or set(normalized) - set(CODE_ALPHABET):
        return None
    return (
        BindingLetter.objects.select_related("student__school__district")
        .filter(code_digest=letter_code_digest(normalized))
        .first()
    )


def letter_use(*, letter: BindingLetter, user) -> bool:
    """Mark ``letter`` used by ``user``, the student account it was printed for, who just signed
    in with it: proof it reached the family. Once: one conditional UPDATE decides, so of two
    sign-ins at the same moment only one uses it (and logs it); the other signs in as any
    sign-in would. False when it was no longer open."""
    if getattr(getattr(user, "student", None), "pk", None) != letter.student_id:
        return False
    now = timezone.now()
    with transaction.atomic():
        used = BindingLetter.objects.filter(
            pk=letter.pk, used_at__isnull=True, voided_at__isnull=True, expires_at__gt=now
        ).update(used_at=now)
        if used:
            letter.used_at = now
            log(
                instance=letter.student,
                action="binding_forms.letter_used",
                user=user,
                data={"letter": letter.pk},
            )
    return bool(used)
