"""The school registry parents are checked against: districts, schools, students, guardians."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel

from binding_forms.identity.fields import IdNumberFields
from binding_forms.models.users import User


class District(models.Model):
    """One of Taipei City's 12 administrative districts (行政區)."""

    name = models.CharField(_("name"), max_length=20, unique=True)
    name_en = models.CharField(_("English name"), max_length=40, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=5, blank=True)

    class Meta:
        ordering = ["postal_code", "name"]
        verbose_name = _("district")
        verbose_name_plural = _("districts")

    def __str__(self) -> str:
        return self.name


class School(ClusterableModel):
    class Level(models.TextChoices):
        ELEMENTARY = "elementary", _("elementary school (國小)")
        JUNIOR_HIGH = "junior_high", _("junior high school (國中)")
        SENIOR_HIGH = "senior_high", _("senior high school (高中)")
        VOCATIONAL = "vocational", _("vocational high school (高職)")

    moe_code = models.CharField(
        _("MOE school code"),
        max_length=6,
        unique=True,
        help_text=_("The Ministry of Education's six-digit school code."),
    )
    name = models.CharField(_("name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=50, blank=True)
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="schools", verbose_name=_("district")
    )
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    address = models.CharField(_("address"), max_length=200, blank=True)
    registration_office_contact = models.CharField(
        _("registration office contact"),
        max_length=200,
        blank=True,
        help_text=_("Shown to parents whose child's data is wrong, e.g. a phone extension."),
    )

    class Meta:
        ordering = ["district", "moe_code"]
        verbose_name = _("school")
        verbose_name_plural = _("schools")

    def __str__(self) -> str:
        return self.name


class Office(models.TextChoices):
    """The offices of a school whose staff review what parents send."""

    REGISTRATION = "registration", _("registration office (註冊組)")
    STUDENT_AFFAIRS = "student_affairs", _("student affairs office (學務處)")
    ACADEMIC_AFFAIRS = "academic_affairs", _("academic affairs office (教務處)")
    COUNSELING = "counseling", _("counseling office (輔導室)")
    GENERAL_AFFAIRS = "general_affairs", _("general affairs office (總務處)")


class StaffAssignment(models.Model):
    """A staff member serving a school in one of its offices: the registration office keeps the
    registry and decides bindings; another office reviews the forms its workflow names.
    Read only by ``binding_forms.registry.scope``."""

    school = ParentalKey(
        School, on_delete=models.CASCADE, related_name="staff", verbose_name=_("school")
    )
    user = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        # Chosen among staff accounts, never among the parents and students.
        limit_choices_to={"is_staff": True},
        related_name="school_offices",
        verbose_name=_("staff member"),
    )
    office = models.CharField(_("office"), max_length=20, choices=Office.choices)

    panels = [FieldPanel("user"), FieldPanel("office")]

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["school", "user", "office"], name="one_assignment_per_school_user_office"
            )
        ]
        indexes = [models.Index(fields=["user", "office"])]
        verbose_name = _("staff assignment")
        verbose_name_plural = _("staff assignments")

    def __str__(self) -> str:
        return f"{self.user}（{self.school} {self.get_office_display()}）"


class Student(IdNumberFields):
    """A pupil as the school's registry (學籍系統) knows them; the parent is checked against this.

    The national ID is kept only as a keyed digest (to check the first password and to match
    applicants) and an encrypted copy (for a registrar who must read it back).
    """

    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="students", verbose_name=_("school")
    )
    student_number = models.CharField(_("student number"), max_length=20)
    name = models.CharField(_("name"), max_length=100)
    grade = models.PositiveSmallIntegerField(_("grade"))
    class_number = models.PositiveSmallIntegerField(_("class"))
    enrolled = models.BooleanField(
        _("enrolled"),
        default=True,
        help_text=_("Cleared when a full roster import no longer lists the student."),
    )
    user = models.OneToOneField(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="student",
        verbose_name=_("student account"),
        help_text=_("Created at the first sign-in with the student account."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["school", "student_number"], name="student_number_unique_in_school"
            )
        ]
        indexes = [models.Index(fields=["school", "grade", "class_number"])]
        ordering = ["school", "grade", "class_number", "student_number"]
        permissions = [
            # Named "<action>_student" so Wagtail's permission policies find them.
            ("import_student", _("Can import the school's roster")),
            ("reset_password_student", _("Can reset a student account's password")),
        ]
        verbose_name = _("student")
        verbose_name_plural = _("students")

    def __str__(self) -> str:
        return f"{self.name}（{self.class_label} {self.student_number}）"

    @property
    def class_label(self) -> str:
        """``2年01班``, as the handbook shows the class."""
        return f"{self.grade}年{self.class_number:02d}班"

    @property
    def account_state(self) -> str:
        if self.user_id is None:
            return _("never signed in")
        if self.user.password_change_required or not self.user.has_usable_password():
            return _("first password")
        return _("own password")

    @property
    def account(self) -> str:
        """The sign-in name parents type: ``P`` + the student number."""
        return f"P{self.student_number}"


class RegistryGuardian(IdNumberFields):
    """A guardian the registry already knows for a student; applicants are compared with them."""

    student = models.ForeignKey(
        Student,
        on_delete=models.CASCADE,
        related_name="registry_guardians",
        verbose_name=_("student"),
    )
    name = models.CharField(_("name"), max_length=100)
    relationship = models.CharField(_("relationship"), max_length=20, blank=True)
    # The roster may not know a guardian's ID number.
    id_number_digest = models.CharField(max_length=64, db_index=True, blank=True, editable=False)
    id_number_encrypted = models.TextField(blank=True, editable=False)
    # The registry records whether the child lives with this guardian (the roster's 監護人N同住);
    # an applicant who does not is for the registrar to decide, never for the registry match.
    lives_with_student = models.BooleanField(_("lives with the student"), default=True)

    class Meta:
        verbose_name = _("guardian in the registry")
        verbose_name_plural = _("guardians in the registry")

    def __str__(self) -> str:
        return f"{self.name}（{self.relationship}）"
