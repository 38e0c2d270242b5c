"""Small factories: build only the rows a test needs."""

import datetime

import django
import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from wagtail.documents import get_document_model

from home.models import BulletinAttachment, BulletinPage, HomePage

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = factory.django.Password("correct horse battery")


def editor_user(**kwargs):
    user = UserFactory(is_staff=True, **kwargs)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


class DocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_document_model()

    title = factory.Sequence(lambda n: f"講義 {n}")
    file = factory.LazyAttribute(lambda doc: ContentFile(PDF_BYTES, name="handout.pdf"))


def bulletin(
    *, parent: HomePage | None = None, title: str, date: datetime.date, attach: bool = False
) -> BulletinPage:
    """Publish a bulletin under the home page, optionally with one PDF attached."""
    parent = parent or HomePage.objects.get()
    page = BulletinPage(title=title, date=date, body="<p>內容</p>")
    if attach:
        page.attachments.add(BulletinAttachment(document=DocumentFactory()))
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def school(
    *, moe_code: str = "313601", name: str = "臺北市立松山國民小學", district: str = "松山區"
):
    from binding_forms.models import District, School

    district_row, _ = District.objects.get_or_create(name=district, defaults={"postal_code": "105"})
    return School.objects.get_or_create(
        moe_code=moe_code,
        defaults={"name": name, "district": district_row, "level": School.Level.ELEMENTARY},
    )[0]


def student(
    *,
    school,
    number: str = "108035",
    name: str = "陳小花",
    id_number: str = "A234567893",
    grade: int = 2,
    class_number: int = 1,
    enrolled: bool = True,
):
    """A registry student as a roster import leaves it: ID kept as digest and ciphertext."""
    from binding_forms.identity.personal_data import encrypt, id_number_digest
    from binding_forms.models import Student

    return Student.objects.create(
        school=school,
        student_number=number,
        name=name,
        grade=grade,
        class_number=class_number,
        id_number_digest=id_number_digest(id_number),
        id_number_encrypted=encrypt(id_number),
        enrolled=enrolled,
    )


def registrar_user(*, of_school, office="registration", **kwargs):
    """A member of one school's office (by default its registration office), in the Registrars
    group (the permissions of the admin's review screens; the office decides which rows)."""
    from binding_forms.registry.services import staff_assign

    user = UserFactory(is_staff=True, **kwargs)
    user.groups.add(Group.objects.get(name="Registrars"))
    staff_assign(user=user, school=of_school, office=office)
    return user


FATHER = {
    "name": "陳大名",
    "relationship": "父女",
    "id_number": "A123456789",
    "mobile": "0912123456",
    "email": "alle@schoolsoft.com.tw",
}
MOTHER = {
    "name": "林美𠮷",
    "relationship": "母女",
    "id_number": "A228704139",
    "mobile": "0987654321",
    "email": "mei@example.com",
}


def submitted_application(*, student, page=None, applicants=(FATHER,)):
    """An application as the wizard leaves it after 確認送出 (its review started)."""
    from binding_forms.binding import services
    from binding_forms.models import ApplicationType

    if student.user is None:
        student.user = UserFactory(username=f"{student.school.moe_code}-P{student.student_number}")
        student.save(update_fields=["user"])
    user = student.user
    application = services.application_for(student=student, page=page, user=user)
    services.application_confirm_student(application=application)
    if page is not None:
        services.application_record_consent(application=application, page=page, agreed=True)
    else:
        application.consent = "agreed"
        application.save(update_fields=["consent"])
    count = len(applicants)
    label = "一位申請帳號" if count == 1 else "雙親為監護人，二位申請帳號"
    return services.application_submit(
        application=application,
        application_type=ApplicationType(label=label, applicant_count=count),
        applicants=[
            {**values, "position": position} for position, values in enumerate(applicants, 1)
        ],
        user=user,
    )


def admin_login(client, user):
    """Sign a Wagtail admin user in as after both steps: password and a code from a confirmed
    authenticator (django-otp's TOTP device), so the session is OTP-verified."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


# A task backend that keeps what is enqueued without running it (Django 6's own where it exists:
# a task takes its class from its backend, and the worker only runs django.tasks tasks).
DUMMY_TASKS = (
    "django.tasks.backends.dummy.DummyBackend"
    if django.VERSION >= (6, 0)
    else "django_tasks.backends.dummy.DummyBackend"
)


def use_mail_backend(settings, backend: str = "anymail.backends.test.EmailBackend") -> None:
    """Send through ``backend`` (pytest-django otherwise forces locmem, which has no anymail
    status or message id)."""
    if django.VERSION >= (6, 1):
        settings.MAILERS = {"default": {"BACKEND": backend}}
    else:
        settings.EMAIL_BACKEND = backend


# Forms an editor builds, reviewed by a school's office ----------------------------------------


def leave_fields():
    """線上請假's fields, as the tests build it: two screens, an optional attachment."""
    from review_workflow.services.forms import FieldSpec

    return [
        FieldSpec("請假日期（起）", "date", step_title="請假資料"),
        FieldSpec("請假日期（迄）", "date"),
        FieldSpec("假別", "radio", choices="病假\n事假\n公假"),
        FieldSpec(
            "節次",
            "checkboxes",
            required=False,
            choices="早自習\n第一節\n第二節\n第三節\n第四節\n午休\n下午",
        ),
        FieldSpec("事由", "multiline", step_title="事由與證明"),
        FieldSpec("證明文件", "file", required=False),
    ]


def office_review_workflow(name: str = "學務處審核"):
    """A workflow of one review by the 學務處 of the child's school."""
    from review_workflow.services.forms import office_workflow_create

    return office_workflow_create(name=name, task_name=name)


def office_reviewer(*, of_school, office="student_affairs", **kwargs):
    """A member of ``of_school``'s 學務處 (or ``office``), which reviews 線上請假."""
    return registrar_user(of_school=of_school, office=office, **kwargs)


def school_form(*, parent, title="線上請假", slug="leave", fields=None, workflow=None):
    """A published school form (線上請假's fields unless ``fields`` are given)."""
    from review_workflow.services.forms import school_form_create

    return school_form_create(
        parent=parent,
        title=title,
        slug=slug,
        fields=fields if fields is not None else leave_fields(),
        workflow=workflow,
        intro="<p>請於請假後三日內填寫。</p>",
        thanks_text="<p>已送出，學務處將盡快審核。</p>",
    )


def sent_form_submission(*, page, parent, child, reason="感冒發燒。"):
    """A 線上請假 submission as the form leaves it after 確認送出 (its review started)."""
    from django.db import transaction

    from binding_forms.reviewed_forms.services import submission_submit
    from review_workflow.models import SchoolFormSubmission

    submission = SchoolFormSubmission.objects.create(
        page=page, requester=parent, student=child, live=False
    )
    answers = [
        {
            "name": "u8acbu5047u65e5u671fu8d77",
            "label": "請假日期（起）",
            "type": "date",
            "value": "2026-12-01",
        },
        {"name": "u4e8bu7531", "label": "事由", "type": "multiline", "value": reason},
    ]
    with transaction.atomic():
        submission_submit(submission=submission, user=parent, changes={"sent_data": answers})
    submission.refresh_from_db()
    return submission
