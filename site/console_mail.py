"""Mail printed on the console, readable: the default when no mail provider is configured.

Django's and anymail's console backends print the message as it would travel, and a Chinese
body travels base64-encoded: a newcomer trying the demo could not read the verification code in
the mail. This one prints the headers decoded and each text part as text, and keeps anymail's
statuses and signals (it is anymail's console backend otherwise).
"""

from email.header import decode_header, make_header

from anymail.backends.console import EmailBackend as AnymailConsoleBackend

# How the message is packed for the wire says nothing to a reader.
WIRE_HEADERS = {"content-transfer-encoding", "mime-version", "content-type"}


def readable_header(value: str) -> str:
    """A header as a person reads it, whether the email API left it encoded (Django 5.2) or
    not (Django 6)."""
    return str(make_header(decode_header(str(value))))


class EmailBackend(AnymailConsoleBackend):
    def write_message(self, message):
        mime = message.message()
        lines = [
            f"{name}: {readable_header(value)}"
            for name, value in mime.items()
            if name.lower() not in WIRE_HEADERS
        ]
        for part in mime.walk():
            if part.is_multipart():
                continue
            content_type = part.get_content_type()
            filename = part.get_filename()
            payload = part.get_payload(decode=True) or b""
            if part.get_content_maintype() == "text" and not filename:
                text = payload.decode(part.get_content_charset() or "utf-8", errors="replace")
                lines += ["", f"[{content_type}]", text.rstrip("\n")]
            else:
                name = readable_header(filename) if filename else "(no name)"
                lines += ["", f"[attachment {name}, {content_type}, {len(payload):,} bytes]"]
        self.stream.write("\n".join(lines) + "\n")
        self.stream.write("-" * 79 + "\n")
