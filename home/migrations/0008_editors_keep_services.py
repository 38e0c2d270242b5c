"""The services list on the parents' home is the editors' to keep (issue 12: "editor-managed"):
add, change, delete and view, in every language (their English versions through Translate)."""

from django.db import migrations

CODENAMES = {
    "add_portalservice": "Can add service",
    "change_portalservice": "Can change service",
    "delete_portalservice": "Can delete service",
    "view_portalservice": "Can view service",
}


def grant_services(apps, schema_editor):
    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    ContentType = apps.get_model("contenttypes.ContentType")

    # On a new database Django adds permissions after all migrations: made here if not there yet.
    content_type, _ = ContentType.objects.get_or_create(app_label="home", model="portalservice")
    editors, _ = Group.objects.get_or_create(name="Editors")
    for codename, name in CODENAMES.items():
        permission, _ = Permission.objects.get_or_create(
            content_type=content_type, codename=codename, defaults={"name": name}
        )
        editors.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [("home", "0007_editors_translate")]

    operations = [migrations.RunPython(grant_services, migrations.RunPython.noop)]
