"""review_workflow's models by topic; ``from review_workflow.models import X`` keeps working."""

from review_workflow.models.audit import SchoolLogEntry, SchoolLogEntryManager, school_id_of
from review_workflow.models.forms import SchoolFormField, SchoolFormPage, SchoolFormSubmission
from review_workflow.models.mail import MailEvent, MailTemplate, OutgoingMail
from review_workflow.models.parents import ParentAccount, ParentStudentLink
from review_workflow.models.tasks import (
    ChangesRequestedForm,
    RegistryMatchTask,
    RegistryMatchTaskState,
    SchoolOfficeTask,
    reviewed_models,
)

__all__ = [
    "ChangesRequestedForm",
    "MailEvent",
    "MailTemplate",
    "OutgoingMail",
    "ParentAccount",
    "ParentStudentLink",
    "RegistryMatchTask",
    "RegistryMatchTaskState",
    "SchoolFormField",
    "SchoolFormPage",
    "SchoolFormSubmission",
    "SchoolLogEntry",
    "SchoolLogEntryManager",
    "SchoolOfficeTask",
    "reviewed_models",
    "school_id_of",
]
