"""Put the portal home at the site root and let Editors publish bulletins.

Wagtail's own migrations create a placeholder welcome page and an Editors group that may add and
change pages but not publish them; the portal's editors publish announcements themselves.
"""

from django.db import migrations

HOME_TITLE = "臺北市校務系統入口網"
EDITOR_PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"]


def create_home(apps, schema_editor):
    """The same steps as Wagtail's project template, with the portal's title."""
    ContentType = apps.get_model("contenttypes.ContentType")
    Page = apps.get_model("wagtailcore.Page")
    Site = apps.get_model("wagtailcore.Site")
    Locale = apps.get_model("wagtailcore.Locale")
    HomePage = apps.get_model("home.HomePage")

    if HomePage.objects.exists():
        return
    Page.objects.filter(id=2, content_type__app_label="wagtailcore").delete()
    home_type, _ = ContentType.objects.get_or_create(model="homepage", app_label="home")
    home = HomePage.objects.create(
        title=HOME_TITLE,
        draft_title=HOME_TITLE,
        slug="home",
        content_type=home_type,
        path="00010001",
        depth=2,
        numchild=0,
        url_path="/home/",
        locale=Locale.objects.order_by("pk").first(),
        live=True,
    )
    Site.objects.filter(is_default_site=True).delete()
    Site.objects.create(
        hostname="localhost", root_page_id=home.pk, is_default_site=True, site_name=HOME_TITLE
    )


def grant_editors(apps, schema_editor):
    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    Page = apps.get_model("wagtailcore.Page")
    GroupPagePermission = apps.get_model("wagtailcore.GroupPagePermission")

    editors, _ = Group.objects.get_or_create(name="Editors")
    root = Page.objects.get(depth=1)
    for codename in EDITOR_PAGE_PERMISSIONS:
        permission = Permission.objects.get(content_type__app_label="wagtailcore", codename=codename)
        GroupPagePermission.objects.get_or_create(group=editors, page=root, permission=permission)


class Migration(migrations.Migration):
    dependencies = [
        ("home", "0001_initial"),
        # The last migration of Wagtail 8.0: page permissions exist as auth permissions by then.
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        migrations.RunPython(create_home, migrations.RunPython.noop),
        migrations.RunPython(grant_editors, migrations.RunPython.noop),
    ]
