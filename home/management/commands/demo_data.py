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
from wagtail.actions.copy_for_translation import CopyPageForTranslationAction
from wagtail.documents import get_document_model
from wagtail.models import Locale

from binding_forms.binding.services import wizard_page_create
from binding_forms.languages import default_locale_id
from binding_forms.models import BindingWizardPage, Office, School
from binding_forms.registry.roster import roster_import
from binding_forms.registry.services import (
    DATA_DIR,
    districts_load_csv,
    schools_load_csv,
    staff_assign,
)
from home.models import BulletinAttachment, BulletinPage, HomePage, PortalService
from review_workflow.services.forms import FieldSpec, office_workflow_create, school_form_create

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
    # 學務處 of the demo school: reviews the forms parents send (線上請假).
    (
        "songshan-student-affairs",
        "portal-affairs-demo",
        "affairs@example.com",
        False,
        "Registrars",
    ),
]
# The services list on the parents' home (我的孩子): (name, description, link, signs in here).
DEMO_SERVICES = [
    (
        "臺北酷課雲",
        "親師生學習整合平臺：課程、學習紀錄與班級訊息。",
        "https://cooc.tp.edu.tw/",
        False,
    ),
    (
        "校園繳費系統 (示範)",
        "查詢與繳交子女的學雜費；以本入口網的家長帳號登入，看得到已綁定的子女。",
        "/demo/payments/",
        True,
    ),
    ("國小校務行政系統", "成績、出缺席與學校公告。", "https://eschool.tp.edu.tw/", False),
]
# The English versions editors would write with Translate (wagtail.contrib.simple_translation).
ENGLISH_HOME = ("Taipei City School Portal", "<p>Bulletins, binding and services for parents.</p>")
ENGLISH_WIZARD = {
    "title": "Parent–child account binding",
    "greeting_text": "The Department of Education binds parent and child accounts here. Please:",
    "student_text": "Please check that the school's records of your child are correct.",
    "wrong_data_text": "If anything above is wrong, ask the school's registration office first.",
    "consent_intro": "A parent account keeps you in touch with the school; please read on.",
    "consent_notice": (
        "<p>The Department of Education, Taipei City Government, collects the personal data "
        "of this form under Article 8 of the Personal Data Protection Act, to bind parent and "
        "child accounts and to provide the Taipei CooC Cloud services.</p>"
    ),
    "consent_agree_label": (
        "I agree to provide the personal data this form needs, to use the Taipei CooC Cloud "
        "services at once."
    ),
    "consent_refuse_label": (
        "I do not agree to provide the personal data, and know that without it I cannot use "
        "the Taipei CooC Cloud services."
    ),
    "refusal_text": (
        "<p>You chose not to provide personal data, so no parent account can be bound. You can "
        "come back and agree at any time.</p>"
    ),
    "applicants_text": "To protect your child's rights and your data, please follow these steps.",
    "success_text": "Parent account set up!",
}
ENGLISH_APPLICATION_TYPES = [
    "Both parents are guardians: two accounts",
    "One account",
    "Birth parents as guardians: two accounts",
    "Another person is the guardian: one account",
]
ENGLISH_RELATIONSHIPS = ["Father–son", "Father–daughter", "Mother–son", "Mother–daughter"]
ENGLISH_RELATIONSHIPS += ["Grandparent", "Guardian"]
ENGLISH_SERVICES = {
    "臺北酷課雲": ("Taipei CooC Cloud", "Courses, learning records and class news."),
    "校園繳費系統 (示範)": (
        "School fees (demo)",
        "See and pay your children's school fees; signs in with this portal's parent account.",
    ),
    "國小校務行政系統": ("Primary school records", "Grades, attendance and school notices."),
}
# 線上請假, as an editor builds it in the admin: rows, no code.
LEAVE_FORM_FIELDS = [
    FieldSpec("請假日期（起）", "date", step_title="請假資料"),
    FieldSpec("請假日期（迄）", "date", help_text="只請一天時，與起日相同。"),
    FieldSpec("假別", "radio", choices="病假\n事假\n公假\n喪假"),
    FieldSpec(
        "節次",
        "checkboxes",
        choices="全天\n早自習\n第一節\n第二節\n第三節\n第四節\n午休\n第五節\n第六節\n第七節",
        help_text="請勾選請假的節次。",
    ),
    FieldSpec("事由", "multiline", step_title="事由與證明"),
    FieldSpec(
        "證明文件",
        "file",
        required=False,
        help_text="例如醫師診斷證明（PDF、JPEG 或 PNG，5 MB 以內）。",
    ),
]
LEAVE_WORKFLOW = "學務處審核（線上請假）"
# Applications of the roster's classmates: (student number, applicants, approved already). The
# review's 學籍比對 step approves by itself the one whose parent the registry knows; the others
# wait for the registrar, each for a reason the screens show.
DEMO_APPLICATIONS = [
    (
        "108036",  # the registry marks the mother as not living with the child
        [
            {
                "name": "林建宏",
                "relationship": "父子",
                "id_number": "A104927361",
                "mobile": "0912000036",
                "email": "lin.jianhong@example.com",
            },
            {
                "name": "王美玲",
                "relationship": "母子",
                "id_number": "A228704139",
                "mobile": "0912100036",
                "email": "wang.meiling@example.com",
            },
        ],
        False,
    ),
    (
        "108037",  # the registry knows no ID for this father: the screens flag it
        [
            {
                "name": "王大同",
                "relationship": "父子",
                "id_number": "A120034174",
                "mobile": "0912000037",
                "email": "wang.datong@example.com",
            }
        ],
        False,
    ),
    (
        "108038",  # the registry knows her as the mother, she names another relationship
        [
            {
                "name": "黃淑芬",
                "relationship": "祖孫",
                "id_number": "A283019473",
                "mobile": "0912000038",
                "email": "huang.shufen@example.com",
            }
        ],
        False,
    ),
    (
        "108041",  # a guardian the registry knows: approved by the registry match
        [
            {
                "name": "張國強",
                "relationship": "父女",
                "id_number": "A255193820",
                "mobile": "0912000041",
                "email": "chang.kuochiang@example.com",
            }
        ],
        True,
    ),
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


def source_home() -> HomePage:
    """The portal home in the source language (zh-Hant): the one the site's root is."""
    return HomePage.objects.get(locale_id=default_locale_id())


class Command(BaseCommand):
    help = "Load the handbook's demo data: schools, the seven bulletins with handouts, demo users."

    @transaction.atomic
    def handle(self, *args, **options):
        districts = districts_load_csv()
        schools = schools_load_csv()
        self.stdout.write(f"Registry: {districts} districts, {schools} schools.")
        for username, password, email, superuser, group in DEMO_USERS:
            self.ensure_user(username, password, email, superuser=superuser, group=group)
        # Published by the demo editor, as editors do: Wagtail's reports name who published.
        created = self.load_bulletins(editor=get_user_model().objects.get(username="editor"))
        self.stdout.write(f"Bulletins: {created} created.")
        if not BindingWizardPage.objects.exists():
            wizard_page_create(parent=source_home())
            self.stdout.write("Binding wizard published at /binding/.")
        songshan = School.objects.get(moe_code=DEMO_SCHOOL)
        staff_assign(
            user=get_user_model().objects.get(username="songshan-registrar"), school=songshan
        )
        report = roster_import(
            data=(DATA_DIR / "roster_sample.csv").read_bytes(), school=songshan, full=False
        )
        self.stdout.write(
            f"Roster of {songshan.name}: {report.created} added, {report.updated} updated."
        )
        self.load_review_steps()
        submitted = self.load_applications(songshan)
        self.stdout.write(f"Applications: {submitted} submitted for the registrar to review.")
        staff_assign(
            user=get_user_model().objects.get(username="songshan-student-affairs"),
            school=songshan,
            office=Office.STUDENT_AFFAIRS,
        )
        if self.load_leave_form():
            self.stdout.write("線上請假 published at /leave/, reviewed by 學務處.")
        self.load_demo_service()
        self.stdout.write(f"Services for parents: {self.load_services()} added.")
        self.stdout.write(f"English versions: {self.load_english()} added.")
        self.stdout.write(self.style.SUCCESS("Demo data ready."))

    def load_demo_service(self) -> None:
        """校園繳費系統 (示範), registered as an administrator would: step 4 end to end."""
        from home.demo_payments.client import NAME, demo_client_register

        # 127.0.0.1 stands for any port (RFC 8252 loopback); localhost only for :8000.
        demo_client_register(origins=["http://127.0.0.1:8000", "http://localhost:8000"])
        self.stdout.write(f"{NAME} registered: sign in through the portal at /demo/payments/.")

    def load_review_steps(self) -> None:
        """學籍比對 in front of the registrar's step, as an administrator puts it in Settings ›
        Workflows (also on a database loaded before the step existed)."""
        from binding_forms.models import Application
        from review_workflow.services.registry_match import registry_match_step_add

        workflow = Application().get_workflow()
        if workflow is not None:
            task = registry_match_step_add(workflow=workflow)
            self.stdout.write(f"Review of applications: {task.name}, then the registrar.")

    def load_applications(self, school) -> int:
        """Classmates of 陳小花 whose parents have applied (one already approved), so the
        registrar's screens have something to show; 陳小花 is left for the handbook's flow."""
        from binding_forms.binding import services
        from binding_forms.models import Application, ApplicationType, Student
        from binding_forms.reviewed_forms.tasks import submission_review_start_task

        wizard = BindingWizardPage.objects.live().filter(locale_id=default_locale_id()).first()
        registrar = get_user_model().objects.get(username="songshan-registrar")
        count = 0
        for number, applicants, approve in DEMO_APPLICATIONS:
            pupil = Student.objects.get(school=school, student_number=number)
            if Application.objects.filter(student=pupil).exists():
                continue
            account, _ = get_user_model().objects.get_or_create(
                username=f"{school.moe_code}-P{number}", defaults={"first_name": pupil.name}
            )
            Student.objects.filter(pk=pupil.pk).update(user=account)
            application = services.application_for(student=pupil, page=wizard, user=account)
            services.application_confirm_student(application=application)
            services.application_record_consent(application=application, page=wizard, agreed=True)
            kind = wizard.application_types.filter(applicant_count=len(applicants)).first()
            services.application_submit(
                application=application,
                application_type=kind
                or ApplicationType(label="一位申請帳號", applicant_count=len(applicants)),
                applicants=[
                    {"position": position, **values}
                    for position, values in enumerate(applicants, 1)
                ],
                user=account,
            )
            # The review starts in a background task; production queues it for db_worker
            # (TASK_BACKEND): run it here, so the approval below finds the review under way
            # with either backend (the queued copy then finds it started and does nothing).
            submission_review_start_task.call(Application._meta.label, application.pk, account.pk)
            count += 1
            application.refresh_from_db()
            if approve and not application.live:  # the registry match did not approve it
                state = application.current_workflow_state.current_task_state
                state.task.specific.on_action(state, registrar, "approve", comment="示範：已核准")
        return count

    def load_leave_form(self) -> bool:
        """線上請假, built as data only: its review workflow (學務處 of the child's school) and
        the form page with its fields, published."""
        from wagtail.models import Workflow

        from review_workflow.models import SchoolFormPage

        if SchoolFormPage.objects.filter(slug="leave").exists():
            return False
        workflow = Workflow.objects.filter(name=LEAVE_WORKFLOW).first() or office_workflow_create(
            name=LEAVE_WORKFLOW, task_name="學務處審核"
        )
        school_form_create(
            parent=source_home(),
            title="線上請假",
            slug="leave",
            fields=LEAVE_FORM_FIELDS,
            workflow=workflow,
            intro="<p>學生請假請於請假當日或返校後三日內填寫，由學校學務處審核。</p>",
            thanks_text="<p>已送出請假單，學務處審核後會以電子郵件通知您。</p>",
        )
        return True

    def load_services(self) -> int:
        created = 0
        for order, (name, description, link, through_portal) in enumerate(DEMO_SERVICES):
            _service, made = PortalService.objects.get_or_create(
                name=name,
                locale_id=default_locale_id(),
                defaults={
                    "description": description,
                    "link": link,
                    "signs_in_through_portal": through_portal,
                    "sort_order": order,
                },
            )
            created += made
        return created

    def load_english(self) -> int:
        """English, as an editor makes it with Translate: the home page, the wizard (wording,
        consent notice, application types, relationships, in the source's order) and the
        services; each only once."""
        english, _ = Locale.objects.get_or_create(language_code="en")
        created = 0
        home = source_home()
        if home.get_translation_or_none(english) is None:
            page = CopyPageForTranslationAction(page=home, locale=english).execute(
                skip_permission_checks=True
            )
            page.title, page.intro = ENGLISH_HOME
            page.save_revision().publish()
            created += 1
        wizard = BindingWizardPage.objects.filter(locale_id=default_locale_id()).first()
        if wizard is not None and wizard.get_translation_or_none(english) is None:
            page = CopyPageForTranslationAction(page=wizard, locale=english).execute(
                skip_permission_checks=True
            )
            for name, value in ENGLISH_WIZARD.items():
                setattr(page, name, value)
            rows = zip(page.application_types.all(), ENGLISH_APPLICATION_TYPES, strict=False)
            for row, label in rows:
                row.label = label
                row.save(update_fields=["label"])
            rows = zip(page.relationships.all(), ENGLISH_RELATIONSHIPS, strict=False)
            for row, label in rows:
                row.label = label
                row.save(update_fields=["label"])
            page.save_revision().publish()
            created += 1
        for service in PortalService.objects.filter(locale_id=default_locale_id()):
            if service.name in ENGLISH_SERVICES and not service.has_translation(english):
                translated = service.copy_for_translation(english)
                translated.name, translated.description = ENGLISH_SERVICES[service.name]
                translated.save()
                created += 1
        return created

    def load_bulletins(self, *, editor) -> int:
        home = source_home()
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
            bulletin.save_revision(user=editor).publish(user=editor)
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
