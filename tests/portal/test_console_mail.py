"""The console mail a newcomer reads while trying the demo: the verification code in plain
sight, not inside base64."""

import base64
import io

from django.core.mail import EmailMultiAlternatives
from portal.console_mail import EmailBackend
from portal.settings import base


def printed(message) -> str:
    stream = io.StringIO()
    assert EmailBackend(stream=stream).send_messages([message]) == 1
    return stream.getvalue()


def test_a_chinese_mail_is_printed_as_text():
    body = "您好：\n您的電子郵件驗證碼是 482913，五分鐘內有效。\n"
    message = EmailMultiAlternatives(
        subject="臺北市親子帳號綁定：電子郵件驗證碼",
        body=body,
        from_email="臺北市校務行政系統 <noreply@localhost>",
        to=["陳大名 <alle@schoolsoft.com.tw>"],
    )
    message.attach_alternative("<p>您的電子郵件驗證碼是 <b>482913</b></p>", "text/html")

    output = printed(message)

    assert "Subject: 臺北市親子帳號綁定：電子郵件驗證碼" in output
    assert "From: 臺北市校務行政系統 <noreply@localhost>" in output
    assert "To: 陳大名 <alle@schoolsoft.com.tw>" in output
    assert "[text/plain]\n您好：\n您的電子郵件驗證碼是 482913，五分鐘內有效。" in output
    assert "[text/html]\n<p>您的電子郵件驗證碼是 <b>482913</b></p>" in output
    # What the wire format would have shown instead.
    assert base64.b64encode(body.encode()).decode()[:20] not in output
    assert "Content-Transfer-Encoding" not in output


def test_attachments_are_named_not_dumped():
    message = EmailMultiAlternatives(subject="附件", body="見附件", to=["a@example.com"])
    message.attach("請假單.pdf", b"%PDF-1.7 binary", "application/pdf")

    output = printed(message)

    assert "[attachment 請假單.pdf, application/pdf, 15 bytes]" in output
    assert "%PDF" not in output


def test_it_is_the_default_backend():
    """With no EMAIL_BACKEND in the environment (as in CI and a newcomer's shell)."""
    assert base.MAIL_BACKEND == "portal.console_mail.EmailBackend"
