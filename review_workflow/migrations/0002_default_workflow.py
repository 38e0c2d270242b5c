"""The school's review, ready on a new site: a workflow with one SchoolRegistrarTask assigned to
applications, and what the Registrars group needs to act in it.

Administrators add steps (a second approver, say) in the admin's Workflows screen; this migration
only creates the workflow when no workflow is assigned to applications yet.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

WORKFLOW_NAME = "親子帳號審核"
TASK_NAME = "註冊組審核"
REGISTRAR_PERMISSIONS = [
    ("binding_forms", "application", "view_application"),
    ("binding_forms", "application", "change_application"),
    # Wagtail's last workflow step publishes the application: the approver needs this.
    ("binding_forms", "application", "publish_application"),
    ("binding_forms", "application", "lock_application"),
    ("binding_forms", "application", "unlock_application"),
    ("review_workflow", "parentstudentlink", "view_parentstudentlink"),
    ("review_workflow", "parentstudentlink", "change_parentstudentlink"),
]


def _content_type(apps, app_label, model):
    ContentType = apps.get_model("contenttypes.ContentType")
    content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
    return content_type


def install(apps, schema_editor):
    for label in ("binding_forms", "review_workflow"):
        config = apps.get_app_config(label)
        config.models_module = True
        create_permissions(config, verbosity=0, apps=apps)
        config.models_module = None

    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    # Wagtail adds these to snippets with drafts and locking after migrating
    # (wagtail.snippets.models.create_extra_permissions); the group needs them now.
    application_type = _content_type(apps, "binding_forms", "application")
    for action in ("publish", "lock", "unlock"):
        Permission.objects.get_or_create(
            content_type=application_type,
            codename=f"{action}_application",
            defaults={"name": f"Can {action} application"},
        )
    registrars, _ = Group.objects.get_or_create(name="Registrars")
    for app_label, model, codename in REGISTRAR_PERMISSIONS:
        registrars.permissions.add(
            Permission.objects.get(
                content_type__app_label=app_label, content_type__model=model, codename=codename
            )
        )

    WorkflowContentType = apps.get_model("wagtailcore.WorkflowContentType")
    if WorkflowContentType.objects.filter(content_type=application_type).exists():
        return
    Workflow = apps.get_model("wagtailcore.Workflow")
    WorkflowTask = apps.get_model("wagtailcore.WorkflowTask")
    SchoolRegistrarTask = apps.get_model("review_workflow.SchoolRegistrarTask")
    task = SchoolRegistrarTask.objects.create(
        name=TASK_NAME,
        active=True,
        content_type=_content_type(apps, "review_workflow", "schoolregistrartask"),
    )
    workflow = Workflow.objects.create(name=WORKFLOW_NAME, active=True)
    WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    WorkflowContentType.objects.create(workflow=workflow, content_type=application_type)


class Migration(migrations.Migration):
    dependencies = [
        ("review_workflow", "0001_parent_accounts"),
        ("binding_forms", "0004_binding_wizard"),
        ("binding_forms", "0003_registrars_group"),
    ]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
