"""Binding letters (親子帳號綁定通知單): the PDF read back as a parent's phone and a reader would,
the code's single use, expiry and voiding, the sign-in it opens, and the audit trail."""

import datetime
import io
import re
from urllib.parse import parse_qs, urlsplit

import pypdfium2
import pytest
import zxingcpp
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader
from wagtail.models import ModelLogEntry

from binding_forms.letters.pdf import letters_pdf
from binding_forms.letters.services import (
    letter_code_digest,
    letter_for_code,
    letter_use,
    letters_issue,
)
from binding_forms.models import BindingLetter
from review_workflow.models import SchoolLogEntry
from tests.binding_forms.test_signin import solve_captcha
from tests.factories import registrar_user, student

LINK_PREFIX = "http://portal.test/signin/letter/"


def link_for(code: str) -> str:
    return LINK_PREFIX + code + "/"


@pytest.fixture
def pupils(songshan):
    return [
        student(school=songshan),
        student(school=songshan, number="108036", name="林堃峯", id_number="A100000001"),
        student(school=songshan, number="108037", name="王大同", id_number="A100000010"),
    ]


def page_texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def scanned_links(pdf: bytes) -> list[str]:
    """Each page rendered at 150 dpi and its QR code decoded, as a phone camera would."""
    document = pypdfium2.PdfDocument(pdf)
    links = []
    for page in document:
        image = page.render(scale=150 / 72).to_pil()
        found = zxingcpp.read_barcodes(image)
        links.append([barcode.text for barcode in found if barcode.format.name == "QRCode"])
    return links


def test_one_a4_page_per_student_with_the_letter_text(registrar, pupils):
    issued = letters_issue(students=pupils, printed_by=registrar)
    pdf = letters_pdf(letters=issued, link_for=link_for)

    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 3
    width, height = (float(value) for value in reader.pages[0].mediabox.upper_right)
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    texts = page_texts(pdf)
    for issued_letter, text in zip(issued, texts, strict=True):
        pupil = issued_letter.student
        assert "親子帳號綁定通知單" in text
        assert "臺北市立松山國民小學" in text
        assert "2年01班" in text
        assert pupil.name in text
        assert f"P{pupil.student_number}" in text
        assert "http://127.0.0.1:8000/" in text or "http" in text
        assert "身分證" in text  # what to bring: the child's first password, the applicants' IDs
    # Never an ID number or a password on paper.
    joined = "".join(texts)
    assert not re.search(r"[A-Z][12]\d{8}", joined)


def test_the_font_is_a_truetype_cjk_font_embedded_in_the_pdf(registrar, pupils):
    pdf = letters_pdf(
        letters=letters_issue(students=pupils[:1], printed_by=registrar), link_for=link_for
    )

    fonts = PdfReader(io.BytesIO(pdf)).pages[0]["/Resources"]["/Font"]
    embedded = [
        str(font["/BaseFont"])
        for font in (font.get_object() for font in fonts.values())
        if "/FontDescriptor" in font and "/FontFile2" in font["/FontDescriptor"].get_object()
    ]
    # AR PL UMing TW (Debian's fonts-arphic-uming), subset into the file: Taiwan's glyph forms
    # on every reader and printer.
    assert embedded and all("UMingTW" in name for name in embedded), embedded


def test_a_name_beyond_the_main_fonts_characters_is_set_in_a_font_that_has_it(songshan, registrar):
    """林美𠮷: 𠮷 (U+20BB7) is not in AR PL UMing; the CNS 11643 Sung font's Extension B has it."""
    pupil = student(school=songshan, number="108099", name="林美𠮷", id_number="A100000001")
    pdf = letters_pdf(
        letters=letters_issue(students=[pupil], printed_by=registrar), link_for=link_for
    )

    fonts = PdfReader(io.BytesIO(pdf)).pages[0]["/Resources"]["/Font"]
    names = [str(font.get_object()["/BaseFont"]) for font in fonts.values()]
    assert any("TW-Sung-Ext-B" in name for name in names), names


def test_each_pages_qr_code_scans_to_that_students_letter(registrar, pupils):
    issued = letters_issue(students=pupils, printed_by=registrar)
    pdf = letters_pdf(letters=issued, link_for=link_for)

    links = scanned_links(pdf)

    assert links == [[link_for(letter.code)] for letter in issued]
    for issued_letter in issued:
        assert letter_for_code(issued_letter.code) == issued_letter.letter


def test_only_the_digest_of_the_code_is_stored(registrar, pupils):
    issued = letters_issue(students=pupils[:1], printed_by=registrar)[0]

    row = BindingLetter.objects.values().get()
    assert row["code_digest"] == letter_code_digest(issued.code)
    assert issued.code not in str(row)
    assert issued.code not in str(list(SchoolLogEntry.objects.values()))
    # The printed form (groups of four, any case) finds the same letter.
    printed = "-".join(issued.code[i : i + 4] for i in range(0, 16, 4)).lower()
    assert letter_for_code(printed) == issued.letter


def test_reprinting_voids_the_older_letters_of_those_students_only(registrar, pupils):
    first = letters_issue(students=pupils, printed_by=registrar)
    second = letters_issue(students=pupils[:1], printed_by=registrar)

    states = {letter.pk: letter.state for letter in BindingLetter.objects.all()}
    assert states[first[0].letter.pk] == BindingLetter.State.VOIDED
    assert states[second[0].letter.pk] == BindingLetter.State.OPEN
    assert states[first[1].letter.pk] == BindingLetter.State.OPEN
    printed = SchoolLogEntry.objects.filter(action="binding_forms.letter_printed")
    assert printed.count() == 4
    assert printed.filter(data__voided=1).count() == 1


def test_the_letter_expires_after_the_configured_days(settings, registrar, pupils):
    settings.BINDING_LETTER_DAYS = 7
    letter = letters_issue(students=pupils[:1], printed_by=registrar)[0].letter

    last_day = timezone.localdate() + datetime.timedelta(days=7)
    assert timezone.localtime(letter.expires_at).date() == last_day + datetime.timedelta(days=1)
    assert letter.state == BindingLetter.State.OPEN
    letter.expires_at = timezone.now() - datetime.timedelta(seconds=1)
    letter.save()
    assert letter.state == BindingLetter.State.EXPIRED
    assert letter_use(letter=letter, user=None) is False


def test_a_registrar_cannot_issue_letters_for_another_schools_students(other_registrar, pupils):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        letters_issue(students=pupils, printed_by=other_registrar)
    assert not BindingLetter.objects.exists()


# The sign-in the letter opens -----------------------------------------------------------------


def letter_url(code: str) -> str:
    return reverse("binding_letter", args=(code,))


def sign_in(client, code, password="A234567893"):
    """Read the captcha off the letter's page and answer it (an unusable letter has none)."""
    page = client.get(letter_url(code))
    answer = solve_captcha(client, letter_url(code)) if page.status_code == 200 else {}
    return client.post(letter_url(code), {"password": password, **answer})


@pytest.fixture
def issued(registrar, pupils):
    return letters_issue(students=pupils[:1], printed_by=registrar)[0]


def test_the_letter_opens_the_sign_in_with_school_and_account_filled_in(client, issued):
    response = client.get(letter_url(issued.code))

    assert response.status_code == 200
    html = response.content.decode()
    assert "臺北市立松山國民小學" in html
    assert "P108035" in html
    assert 'name="password"' in html
    assert 'name="school"' not in html and 'name="account"' not in html
    assert "A234567893" not in html and "陳小花" not in html


def test_signing_in_with_the_letter_uses_it_and_leads_to_the_wizard(client, issued):
    wrong = sign_in(client, issued.code, password="A100000001")
    assert wrong.status_code == 200
    assert "帳號或密碼錯誤" in wrong.content.decode()
    assert BindingLetter.objects.get().used_at is None

    response = sign_in(client, issued.code)

    assert response.status_code == 302
    # The first password leads to the forced change, then to the wizard for this child.
    location = urlsplit(response["Location"])
    assert location.path == reverse("password_first_change")
    assert parse_qs(location.query)["next"] == [reverse("binding_start")]
    letter = BindingLetter.objects.get()
    assert letter.state == BindingLetter.State.USED
    used = SchoolLogEntry.objects.get(action="binding_forms.letter_used")
    assert used.user_id == letter.student.user_id and used.school_id == letter.student.school_id
    assert client.session["_auth_user_id"] == str(letter.student.user_id)


def test_the_school_and_account_come_from_the_letter_not_the_request(client, issued, yingqiao):
    other = student(school=yingqiao, number="200001", name="林大明", id_number="F131104093")

    response = client.post(
        letter_url(issued.code),
        {
            "password": "F131104093",
            "school": str(other.school_id),
            "account": "P200001",
            **solve_captcha(client, letter_url(issued.code)),
        },
    )

    assert response.status_code == 200  # the other child's password is wrong for this letter
    assert "_auth_user_id" not in client.session
    assert BindingLetter.objects.get().used_at is None


@pytest.mark.parametrize(
    ("state", "message"),
    [
        ("used", "已經用來登入過"),
        ("voided", "較新的通知單"),
        ("expired", "有效期限至"),
        ("unknown", "沒有這個代碼"),
    ],
)
def test_a_letter_that_no_longer_works_says_why_and_leads_to_the_sign_in(
    client, issued, registrar, state, message
):
    code = issued.code
    letter = issued.letter
    if state == "used":
        letter.used_at = timezone.now()
        letter.save()
    elif state == "voided":
        letters_issue(students=[letter.student], printed_by=registrar)
    elif state == "expired":
        letter.expires_at = timezone.now() - datetime.timedelta(minutes=1)
        letter.save()
    else:
        code = "2" * 16

    response = client.get(letter_url(code))

    assert response.status_code == (404 if state == "unknown" else 410)
    html = response.content.decode()
    assert "這張通知單已無法使用" in html
    assert message in html
    assert reverse("signin") in html
    assert 'name="password"' not in html
    # A POST to it signs nobody in either.
    assert sign_in(client, code).status_code in (404, 410)
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("code", ["x", "%00", "A" * 500, "ABCD-EFGH-JKMN-PQRS", "數字"])
def test_odd_codes_answer_the_unusable_page_never_a_500(db, client, code):
    response = client.get(f"/signin/letter/{code}/")

    assert response.status_code == 404
    assert "這張通知單已無法使用" in response.content.decode()


def test_the_letters_school_log_is_seen_only_by_its_school(issued, other_registrar):
    assert SchoolLogEntry.objects.viewable_by_user(other_registrar).count() == 0
    assert not ModelLogEntry.objects.filter(action__startswith="binding_forms.letter").exists()


def test_a_letter_is_not_used_by_another_childs_sign_in(issued, songshan):
    sibling = registrar_user(of_school=songshan, username="someone")
    assert letter_use(letter=issued.letter, user=sibling) is False
    assert BindingLetter.objects.get().used_at is None
