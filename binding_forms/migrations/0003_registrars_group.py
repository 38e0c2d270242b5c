"""The Registrars group: what the school's registration office (註冊組) may do in the admin.

Which school's data they see is not a permission but a relation (School.registrars), applied by
the admin screens' querysets.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

REGISTRAR_PERMISSIONS = [
    ("wagtailadmin", "admin", "access_admin"),
    ("binding_forms", "student", "view_student"),
    ("binding_forms", "student", "import_student"),
    ("binding_forms", "student", "reset_password_student"),
]


def create_registrars(apps, schema_editor):
    for label in ("binding_forms", "wagtailadmin"):
        config = apps.get_app_config(label)
        config.models_module = True
        create_permissions(config, verbosity=0, apps=apps)
        config.models_module = None
    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    registrars, _ = Group.objects.get_or_create(name="Registrars")
    for app_label, model, codename in REGISTRAR_PERMISSIONS:
        registrars.permissions.add(
            Permission.objects.get(
                content_type__app_label=app_label, content_type__model=model, codename=codename
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("binding_forms", "0002_registry_students"),
        ("wagtailadmin", "0006_formstate"),
    ]

    operations = [migrations.RunPython(create_registrars, migrations.RunPython.noop)]
