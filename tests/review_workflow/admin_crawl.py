"""Walk the admin as one user sees it: every screen reachable from the dashboard's links and the
menu, each route once. Used by the zh-Hant and gravatar checks (issue 13)."""

import json
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

# GETs that are confirmations of a change, or leave the admin: followed by nobody who only looks.
SKIPPED = re.compile(
    r"/logout/|/delete/|/unpublish/|/revoke/|/reset-password/|/lock/|/unlock/|/revert/"
    r"|/confirm_cancellation/|/two-factor/|/bulk/|/preview/|export=|/move/|/copy/|/convert_alias/"
)
DIGITS = re.compile(r"\d+")


def route_of(url: str) -> str:
    """/admin/applications/edit/3/ and /edit/4/ are one screen; the query string counts too
    (a filter or ordering is the same screen)."""
    return DIGITS.sub("{n}", urlsplit(url).path)


def links_of(html: str) -> list[str]:
    hrefs = re.findall(r'href="(/admin/[^"#]*)"', html)
    # The sidebar menu is rendered by script from JSON props.
    for props in re.findall(
        r'<script id="wagtail-sidebar-props" type="application/json">(.*?)</script>', html, re.S
    ):
        hrefs += re.findall(r'"url": "(/admin/[^"#]*)"', props)
    return [href.replace("&amp;", "&") for href in hrefs]


def crawl(client, start="/admin/", limit=250, per_route=2) -> dict[str, str]:
    """Each route at most ``per_route`` times (two objects of one list may differ in state)."""
    pages: dict[str, str] = {}
    seen_routes: dict[str, int] = {}
    queue = [start]
    queued = {start}
    while queue and len(pages) < limit:
        url = queue.pop(0)
        route = route_of(url)
        if seen_routes.get(route, 0) >= per_route:
            continue
        response = client.get(url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        seen_routes[route] = seen_routes.get(route, 0) + 1
        html = response.content.decode()
        pages[url] = html
        for href in links_of(html):
            if href not in queued and not SKIPPED.search(href):
                queued.add(href)
                queue.append(href)
    return pages


class _UiText(HTMLParser):
    """What a reader meets: text outside scripts, styles and hidden elements, and the attributes
    read aloud or shown (placeholder, title, aria-label, alt, a button's value)."""

    SILENT = {"script", "style", "template", "svg", "noscript"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}
    SHOWN_ATTRIBUTES = {"placeholder", "title", "aria-label", "alt"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.open: list[tuple[str, bool]] = []  # (tag, silent)
        self.found: list[str] = []

    @property
    def silent(self) -> bool:
        return any(silent for _tag, silent in self.open)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        silent = (
            tag in self.SILENT
            or "hidden" in attributes
            # The IANA time zone names of the account page are codes.
            or (tag == "select" and "time_zone" in (attributes.get("name") or ""))
        )
        if not self.silent and "hidden" not in attributes:
            for name in self.SHOWN_ATTRIBUTES:
                if attributes.get(name):
                    self.found.append(attributes[name])
            if tag == "input" and attributes.get("type") in {"submit", "button", "reset"}:
                self.found.append(attributes.get("value") or "")
        if tag not in self.VOID:
            self.open.append((tag, silent))

    def handle_endtag(self, tag):
        for index in range(len(self.open) - 1, -1, -1):
            if self.open[index][0] == tag:
                del self.open[index:]
                return

    def handle_data(self, data):
        if not self.silent and data.strip():
            self.found.append(data.strip())


def ui_text(html: str) -> list[str]:
    parser = _UiText()
    parser.feed(html)
    return parser.found


# Latin letters that are not English UI: names of products and formats, codes, addresses,
# sign-in names, file names, units, and the browser tab's "- Wagtail".
ALLOWED = re.compile(
    r"[\w.+-]+@[\w.-]+"  # email addresses
    r"|https?://[!-~]+|[\w/-]+\.(?:pdf|png|jpe?g|csv|xlsx|txt)(?![A-Za-z])"  # addresses, files
    r"|(?<![A-Za-z])(?:"
    r"P\d+|\d+(?:\.\d+)?\s?(?:MB|KB|GB|B|px)"  # student accounts, sizes
    r"|[a-z_]+\.[a-z_]+"  # a model's code (app_label.model), as Wagtail's reports show it
    r"|Wagtail|XLSX|CSV|PDF|JPE?G|PNG|GIF|WEBP|WebP|AVIF|SVG|UTF-8|Big5|QR(?: [Cc]ode)?|ID|URL"
    r"|RSS|Atom|HTML"
    r"|SSO|OpenID|Connect|OAuth|OTP|TOTP|Google|Microsoft|Authenticator|FreeOTP|Enter|Tab|Esc"
    r"|UTC|GMT|A4"
    r")(?![A-Za-z])"
    r"|\{\{\s*\w+[^}]*\}\}|\{%[^%]*%\}"  # the mail templates' own placeholders
)
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def english_left(text: str, *, also_allowed: tuple[str, ...] = ()) -> bool:
    rest = ALLOWED.sub(" ", text)
    for allowed in also_allowed:
        rest = rest.replace(allowed, " ")
    return bool(LATIN_WORD.search(rest))


def menu_labels(html: str) -> list[str]:
    """The sidebar menu's labels (Help, Reports, …): rendered by script from JSON props."""
    labels = []
    for props in re.findall(
        r'<script id="wagtail-sidebar-props" type="application/json">(.*?)</script>', html, re.S
    ):
        labels += [
            json.loads(f'"{raw}"') for raw in re.findall(r'"label": "((?:[^"\\]|\\.)*)"', props)
        ]
    return labels
