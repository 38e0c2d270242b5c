"""The school offices' reviewers act on form submissions as on applications: see and change
their school's in their office (the task and the permission policy narrow it), publish (Wagtail's
last workflow step publishes what it approves), lock and unlock."""

from django.db import migrations

ACTIONS = ("view", "change", "publish", "lock", "unlock")


def install(apps, schema_editor):
    # Only these permissions, by hand: creating the app's whole set here would make the office
    # task's before Django renames the registrar task's to them after migrating (a conflict).
    ContentType = apps.get_model("contenttypes.ContentType")
    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    content_type, _ = ContentType.objects.get_or_create(
        app_label="review_workflow", model="schoolformsubmission"
    )
    reviewers, _ = Group.objects.get_or_create(name="Registrars")
    for action in ACTIONS:
        permission, _ = Permission.objects.get_or_create(
            content_type=content_type,
            codename=f"{action}_schoolformsubmission",
            defaults={"name": f"Can {action} form submission"},
        )
        reviewers.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [("review_workflow", "0007_school_forms")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
