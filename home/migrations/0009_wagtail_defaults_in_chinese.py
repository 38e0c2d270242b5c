"""The names Wagtail's own migrations give its root page and default workflow are English data
("Root", "Moderators approval"), shown in the zh-Hant admin's explorer, reports and the page
editor's submit button (issue 13). Renamed only while they still carry Wagtail's default."""

from django.db import migrations

RENAMES = {
    # model: (Wagtail's default, ours)
    "page": ("Root", "根目錄"),
    "workflow": ("Moderators approval", "編輯審核"),
    "task": ("Moderators approval", "編輯審核"),
}


def rename(apps, schema_editor, *, forward=True):
    for model_name, (default, ours) in RENAMES.items():
        model = apps.get_model("wagtailcore", model_name)
        field = "title" if model_name == "page" else "name"
        old, new = (default, ours) if forward else (ours, default)
        if model_name == "page":
            model.objects.filter(depth=1, title=old).update(title=new, draft_title=new)
        else:
            model.objects.filter(**{field: old}).update(**{field: new})


def forwards(apps, schema_editor):
    rename(apps, schema_editor, forward=True)


def backwards(apps, schema_editor):
    rename(apps, schema_editor, forward=False)


class Migration(migrations.Migration):
    dependencies = [
        ("home", "0008_editors_keep_services"),
        ("wagtailcore", "0048_add_default_workflows"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
