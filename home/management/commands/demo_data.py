"""Fill an empty site with the handbook's demo content; running it again changes nothing."""

import datetime
import io

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas
from wagtail.documents import get_document_model

from binding_forms.models import BindingWizardPage, School
from binding_forms.roster import roster_import
from binding_forms.services import (
    DATA_DIR,
    districts_load_csv,
    schools_load_csv,
    wizard_page_create,
)
from home.models import BulletinAttachment, BulletinPage, HomePage

# The seed's 訊息快遞, oldest first: (ROC date, office, slug stem).
SEED_BULLETINS = [
    ((109, 8, 5), "資訊組", "information"),
    ((109, 8, 6), "註冊組", "registration"),
    ((109, 8, 11), "教學組", "instruction"),
    ((109, 8, 13), "學務處", "student-affairs"),
    ((109, 8, 13), "輔導組", "counselling"),
    ((109, 8, 16), "總務處", "general-affairs"),
    ((109, 8, 16), "設備組", "equipment"),
]
BULLETIN_TITLE = "臺北市第2代校務行政系統-{office}8月教育訓練研習講義"

DEMO_USERS = [
    # (username, password, email, superuser, group)
    ("admin", "portal-admin-demo", "admin@example.com", True, None),
    ("editor", "portal-editor-demo", "editor@example.com", False, "Editors"),
    ("songshan-registrar", "portal-registrar-demo", "registrar@example.com", False, "Registrars"),
]
# The handbook's school: 臺北市立松山國民小學; its roster holds 陳小花 (P108035).
DEMO_SCHOOL = "313601"


def handout_pdf(title: str, date: datetime.date) -> bytes:
    """A one-page training handout, in Chinese, with a font every PDF reader has."""
    pdfmetrics.registerFont(UnicodeCIDFont("MSung-Light"))
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, pageCompression=1)
    pdf.setTitle(title)
    pdf.setFont("MSung-Light", 16)
    width, height = A4
    pdf.drawString(50, height - 80, title)
    pdf.setFont("MSung-Light", 12)
    lines = [
        f"日期：{date.year - 1911}/{date.month:02d}/{date.day:02d}",
        "臺北市政府教育局 臺北市第2代校務行政系統 教育訓練研習講義（示範文件）",
        "本文件由示範資料產生，僅供測試入口網的附件下載功能。",
    ]
    for number, line in enumerate(lines):
        pdf.drawString(50, height - 120 - number * 22, line)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


class Command(BaseCommand):
    help = "Load the handbook's demo data: schools, the seven bulletins with handouts, demo users."

    @transaction.atomic
    def handle(self, *args, **options):
        districts = districts_load_csv()
        schools = schools_load_csv()
        self.stdout.write(f"Registry: {districts} districts, {schools} schools.")
        created = self.load_bulletins()
        self.stdout.write(f"Bulletins: {created} created.")
        if not BindingWizardPage.objects.exists():
            wizard_page_create(parent=HomePage.objects.get())
            self.stdout.write("Binding wizard published at /binding/.")
        for username, password, email, superuser, group in DEMO_USERS:
            self.ensure_user(username, password, email, superuser=superuser, group=group)
        songshan = School.objects.get(moe_code=DEMO_SCHOOL)
        songshan.registrars.add(get_user_model().objects.get(username="songshan-registrar"))
        report = roster_import(
            data=(DATA_DIR / "roster_sample.csv").read_bytes(), school=songshan, full=False
        )
        self.stdout.write(
            f"Roster of {songshan.name}: {report.created} added, {report.updated} updated."
        )
        self.stdout.write(self.style.SUCCESS("Demo data ready."))

    def load_bulletins(self) -> int:
        home = HomePage.objects.get()
        existing = set(BulletinPage.objects.child_of(home).values_list("slug", flat=True))
        Document = get_document_model()
        created = 0
        for (year, month, day), office, stem in SEED_BULLETINS:
            slug = f"{stem}-training-handout-{year}-{month:02d}"
            if slug in existing:
                continue
            date = datetime.date(year + 1911, month, day)
            title = BULLETIN_TITLE.format(office=office)
            document = Document(title=title)
            document.file.save(f"{slug}.pdf", ContentFile(handout_pdf(title, date)), save=False)
            document.save()
            bulletin = BulletinPage(
                title=title,
                slug=slug,
                date=date,
                body=f"<p>{office}8月教育訓練研習講義，請下載附件參閱。</p>",
            )
            bulletin.attachments.add(BulletinAttachment(document=document))
            home.add_child(instance=bulletin)
            bulletin.save_revision().publish()
            created += 1
        return created

    def ensure_user(self, username, password, email, *, superuser: bool, group: str | None):
        User = get_user_model()
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"email": email, "is_staff": True, "is_superuser": superuser},
        )
        if created:
            user.set_password(password)
            user.save(update_fields=["password"])
        if group:
            user.groups.add(Group.objects.get(name=group))
