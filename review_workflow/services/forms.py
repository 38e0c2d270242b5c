"""Forms the schools' offices review, set up as an editor would in the admin: the page with its
fields, published (the demo data's 線上請假, the tests' forms)."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from wagtail.models import Workflow, WorkflowTask

from binding_forms.models import Office
from review_workflow.models import SchoolFormField, SchoolFormPage, SchoolOfficeTask


@dataclass(frozen=True)
class FieldSpec:
    """One field as an editor fills it in: the step title groups fields into screens."""

    label: str
    field_type: str
    step_title: str = ""
    required: bool = True
    choices: str = ""
    help_text: str = ""


@transaction.atomic
def office_workflow_create(
    *, name: str, task_name: str, office: str = Office.STUDENT_AFFAIRS
) -> Workflow:
    """A workflow of one review by ``office`` of the child's school (學務處 by default)."""
    task = SchoolOfficeTask.objects.create(
        name=task_name,
        office=office,
        content_type=ContentType.objects.get_for_model(SchoolOfficeTask),
    )
    workflow = Workflow.objects.create(name=name)
    WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    return workflow


@transaction.atomic
def school_form_create(
    *,
    parent,
    title: str,
    slug: str,
    fields: Iterable[FieldSpec],
    workflow=None,
    intro: str = "",
    thanks_text: str = "",
) -> SchoolFormPage:
    """A school form under ``parent`` with ``fields`` in order, reviewed in ``workflow``,
    published."""
    page = SchoolFormPage(
        title=title, slug=slug, intro=intro, thanks_text=thanks_text, workflow=workflow
    )
    for order, spec in enumerate(fields):
        page.form_fields.add(
            SchoolFormField(
                sort_order=order,
                step_title=spec.step_title,
                label=spec.label,
                field_type=spec.field_type,
                required=spec.required,
                choices=spec.choices,
                help_text=spec.help_text,
            )
        )
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page
