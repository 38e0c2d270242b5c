"""binding_forms' models by topic; ``from binding_forms.models import X`` keeps working."""

from binding_forms.binding.consent import DEFAULT_CONSENT_NOTICE
from binding_forms.models.binding import (
    DEFAULT_APPLICATION_TYPES,
    DEFAULT_RELATIONSHIPS,
    Applicant,
    Application,
    ApplicationType,
    BindingWizardPage,
    RelationshipChoice,
    StepChoices,
)
from binding_forms.models.letters import BindingLetter
from binding_forms.models.registry import (
    District,
    Office,
    RegistryGuardian,
    School,
    StaffAssignment,
    Student,
)
from binding_forms.models.users import User

__all__ = [
    "DEFAULT_APPLICATION_TYPES",
    "DEFAULT_CONSENT_NOTICE",
    "DEFAULT_RELATIONSHIPS",
    "Applicant",
    "BindingLetter",
    "Application",
    "ApplicationType",
    "BindingWizardPage",
    "District",
    "Office",
    "RegistryGuardian",
    "RelationshipChoice",
    "School",
    "StaffAssignment",
    "StepChoices",
    "Student",
    "User",
]
