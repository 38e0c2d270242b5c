"""Editors may translate pages (wagtail.contrib.simple_translation's Translate): the English
version of the home page, the wizard and the bulletins is theirs to write, as the zh-Hant one."""

from django.db import migrations


def grant_translate(apps, schema_editor):
    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    ContentType = apps.get_model("contenttypes.ContentType")

    # On a new database Django adds permissions after all migrations: made here if not there yet.
    content_type, _ = ContentType.objects.get_or_create(
        app_label="simple_translation", model="simpletranslation"
    )
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type,
        codename="submit_translation",
        defaults={"name": "Can submit translations"},
    )
    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("home", "0006_portal_services_one_per_language"),
        ("simple_translation", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant_translate, migrations.RunPython.noop)]
