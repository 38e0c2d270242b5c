"""The letter as paper: one A4 page per student, in Traditional Chinese, with its QR code.

The font is a TrueType CJK font embedded in the PDF (subset), so every reader and printer shows
the same glyphs: reportlab reads TrueType only, not the CFF-based Noto CJK fonts, and its
built-in CID fonts are not embedded (a reader without Adobe's Asian font pack shows boxes).
Without the font file (``BINDING_LETTER_FONT``, Debian's fonts-arphic-uming) the letters fall
back to the CID font MSung-Light, and ``manage.py check`` warns.
"""

import functools
import io
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.graphics.barcode.qr import QrCode
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import KeepTogether

from binding_forms.letters.services import IssuedLetter, letter_code_display, letter_last_day

EMBEDDED_FONT = "BindingLetter"
FALLBACK_FONT = "MSung-Light"
QR_SIZE = 42 * mm


def letter_font() -> str:
    """The registered name of the letters' font (registered once a process)."""
    if EMBEDDED_FONT in pdfmetrics.getRegisteredFontNames():
        return EMBEDDED_FONT
    path = Path(settings.BINDING_LETTER_FONT)
    if path.is_file():
        pdfmetrics.registerFont(
            TTFont(EMBEDDED_FONT, str(path), subfontIndex=settings.BINDING_LETTER_FONT_INDEX)
        )
        return EMBEDDED_FONT
    if FALLBACK_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_FONT))
    return FALLBACK_FONT


@functools.cache
def _rare_character_fonts() -> tuple[tuple[str, frozenset[int]], ...]:
    """The fonts for characters the main font lacks (``BINDING_LETTER_RARE_FONTS``: the CNS
    11643 Sung font's Extension B file holds 𠮷 and the other names of the registry that lie
    beyond Unicode's first plane), registered on first need: the file is large."""
    fonts = []
    for index, path in enumerate(settings.BINDING_LETTER_RARE_FONTS):
        if Path(path).is_file():
            name = f"{EMBEDDED_FONT}Rare{index}"
            font = TTFont(name, path)
            pdfmetrics.registerFont(font)
            fonts.append((name, frozenset(font.face.charToGlyph)))
    return tuple(fonts)


def _markup(text: str, font: str) -> str:
    """``text`` as paragraph markup: escaped, and each character the main font lacks set in a
    font that has it (a name is printed as the registry holds it, never as a box)."""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if font != EMBEDDED_FONT:
        return escaped
    covered = pdfmetrics.getFont(font).face.charToGlyph
    if all(ord(character) in covered for character in escaped):
        return escaped
    parts = []
    for character in escaped:
        if ord(character) not in covered:
            for name, characters in _rare_character_fonts():
                if ord(character) in characters:
                    character = f'<font name="{name}">{character}</font>'
                    break
        parts.append(character)
    return "".join(parts)


def roc_date(value) -> str:
    """``2026-12-14`` → ``115年12月14日``, as a school letter dates things."""
    return f"{value.year - 1911}年{value.month}月{value.day}日"


def qr_code(link: str) -> QrCode:
    """reportlab's QR flowable draws straight on the page: its Drawing widget builds a shape
    object per module and cost a class of 30 most of its print time."""
    return QrCode(link, width=QR_SIZE, height=QR_SIZE, qrLevel="M")


def _styles(font: str) -> dict[str, ParagraphStyle]:
    body = ParagraphStyle("body", fontName=font, fontSize=11.5, leading=18, wordWrap="CJK")
    return {
        "body": body,
        "school": ParagraphStyle("school", parent=body, fontSize=13, alignment=1),
        "title": ParagraphStyle(
            "title", parent=body, fontSize=22, leading=30, alignment=1, spaceAfter=4 * mm
        ),
        "heading": ParagraphStyle(
            "heading", parent=body, fontSize=13, leading=20, spaceBefore=4 * mm, spaceAfter=1 * mm
        ),
        "cell": ParagraphStyle("cell", parent=body, fontSize=11.5, leading=16),
        "small": ParagraphStyle("small", parent=body, fontSize=9.5, leading=14),
    }


def _page(issued: IssuedLetter, link: str, styles, font: str) -> list:
    markup = functools.partial(_markup, font=font)

    student = issued.student
    school = student.school
    last_day = letter_last_day(issued.letter)
    portal = settings.WAGTAILADMIN_BASE_URL.rstrip("/") + "/"
    p = styles
    facts = [
        (_("School"), school.name),
        (_("Class"), student.class_label),
        (_("Student"), student.name),
        (_("Student account (P + student number)"), student.account),
        (_("Portal address"), portal),
        (_("Letter code"), letter_code_display(issued.code)),
        (_("Valid until"), roc_date(last_day)),
    ]
    table = Table(
        [
            [Paragraph(markup(label), p["cell"]), Paragraph(markup(value), p["cell"])]
            for label, value in facts
        ],
        colWidths=[30 * mm, 95 * mm],
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#eeeeee")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    qr_caption = Paragraph(
        markup(_("Scan with a phone: the sign-in opens with the school and account filled in.")),
        p["small"],
    )
    side_by_side = Table(
        [[table, [qr_code(link), qr_caption]]],
        colWidths=[128 * mm, 47 * mm],
        style=TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]),
    )
    bring = [
        _(
            "Your child's password: the first time, the child's full national ID number "
            "(you will be asked to choose a new password)."
        ),
        _(
            "For each parent or guardian who applies: their national ID number (or resident "
            "certificate number), mobile number and email address (the parent account is "
            "that email address)."
        ),
    ]
    steps = [
        _("Scan the QR code, or type the address below into a browser."),
        _("Enter your child's password and the code shown, then sign in."),
        _(
            "Check your child's data, read the personal data notice, name the applicants and "
            "send the application."
        ),
        _("The school's registration office reviews it and emails each applicant."),
    ]
    contact = school.registration_office_contact or _("the school's registration office")
    return [
        Paragraph(markup(school.name), p["school"]),
        Paragraph(markup(_("Parent–child account binding letter")), p["title"]),
        Paragraph(markup(_("Dear parent of %(name)s,") % {"name": student.name}), p["body"]),
        Paragraph(
            markup(
                _(
                    "Please bind your parent account to your child's school record by "
                    "%(date)s: you will then use the city's school services (payments, leave "
                    "requests, class notices) with your own account."
                )
                % {"date": roc_date(last_day)}
            ),
            p["body"],
        ),
        Spacer(1, 4 * mm),
        side_by_side,
        Paragraph(markup(_("What to have at hand")), p["heading"]),
        *[Paragraph(f"{index}. {markup(text)}", p["body"]) for index, text in enumerate(bring, 1)],
        Paragraph(markup(_("How to apply")), p["heading"]),
        *[Paragraph(f"{index}. {markup(text)}", p["body"]) for index, text in enumerate(steps, 1)],
        Spacer(1, 2 * mm),
        Paragraph(markup(link), p["small"]),
        Spacer(1, 3 * mm),
        KeepTogether(
            [
                Paragraph(
                    markup(
                        _(
                            "This letter works once, until the date above; a new letter from "
                            "the school replaces it. After that, sign in at the portal with "
                            "the school, P + student number and the password as usual. The "
                            "letter holds no ID number and no password."
                        )
                    ),
                    p["small"],
                ),
                Paragraph(markup(_("Questions: %(contact)s.") % {"contact": contact}), p["small"]),
            ]
        ),
    ]


def letters_pdf(*, letters: list[IssuedLetter], link_for: Callable[[str], str]) -> bytes:
    """One A4 page per letter, in the portal's language (zh-Hant) whatever the registrar's."""
    font = letter_font()
    styles = _styles(font)
    buffer = io.BytesIO()
    with translation.override(settings.LANGUAGE_CODE):
        document = SimpleDocTemplate(
            buffer,
            pagesize=A4,
            leftMargin=18 * mm,
            rightMargin=18 * mm,
            topMargin=16 * mm,
            bottomMargin=14 * mm,
            title=_("Parent–child account binding letters"),
            author=letters[0].student.school.name if letters else "",
        )
        story = []
        for index, issued in enumerate(letters):
            if index:
                story.append(PageBreak())
            story.extend(_page(issued, link_for(issued.code), styles, font))
        document.build(story)
    return buffer.getvalue()
