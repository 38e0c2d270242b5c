"""What each simulated person does, with the handbook's screens and labels: a parent binds
(sign-in with the child's account, forced change, confirm, consent, one applicant, the emailed
code, submit), then waits for the approval mail and signs in with the new parent account; a
registrar signs in to the admin (password, then a code from the authenticator) and approves what
is waiting, in bulk, until told to stop.
"""

import re
import threading
from binascii import unhexlify
from urllib.parse import urlencode

from benchmarks.load.client import CAPTCHA_KEY, Browser, JourneyError, Mailbox
from benchmarks.load.stack import REGISTRAR_PASSWORD, Person, Registrar

WIZARD = "/binding/"
CODE = re.compile(r"\b(\d{6})\b")
APPLICATION_LINK = re.compile(r"/admin/applications/edit/(\d+)/")
CODE_SUBJECT = "電子郵件驗證碼"
APPROVED_SUBJECT = "的親子帳號已開通"
SUCCESS = "設定親子帳號成功!"
# Applications a registrar ticks and approves at once (核准所選案件).
BATCH = 10


def new_password(person: Person, who: str) -> str:
    return f"Load-{who}-{person.index:05d}-passw0rd!"


def follow(browser: Browser, location: str, hops: int = 5) -> tuple[str, str]:
    """GET ``location`` and the redirects after it; returns (final path, page)."""
    for _ in range(hops):
        status, next_location, body = browser.request(kind_of("GET", location), "GET", location)
        if status == 200:
            return location, body
        if status != 302:
            Browser._check(kind_of("GET", location), status, 200, body)
        location = next_location
    raise JourneyError(f"too many redirects from {location}")


def kind_of(method: str, path: str) -> str:
    """The kind of a request in the latency table: method and path, ids and queries folded."""
    path = re.sub(r"/\d+/", "/<id>/", path.split("?", 1)[0])
    return f"{method} {path}"


def post(browser: Browser, path: str, data: dict, page: str, *, label: str = "") -> str:
    kind = kind_of("POST", path) + (f" ({label})" if label else "")
    location, _ = browser.post(kind, path, data, page)
    return location


def signin_page(browser: Browser, tab: str) -> tuple[str, str]:
    path = "/signin/" + ("?tab=parent" if tab == "parent" else "")
    _, page = browser.get(kind_of("GET", path) + f" ({tab})", path)
    return path, page


def captcha(page: str) -> dict:
    match = CAPTCHA_KEY.search(page)
    if match is None:
        raise JourneyError("no captcha on the sign-in page")
    return {"captcha_0": match.group(1), "captcha_1": "PASSED"}


def parent_binds(browser: Browser, person: Person, mailbox: Mailbox) -> None:
    """The handbook's path with the child's student account, up to 設定親子帳號成功!."""
    path, page = signin_page(browser, "student")
    location = post(
        browser,
        path,
        {
            "tab": "student",
            "school": person.school_id,
            "account": person.account,
            "password": person.child_id,
            **captcha(page),
        },
        page,
        label="student",
    )
    location = _forced_change(browser, location, new_password(person, "student"))
    location, page = follow(browser, location)
    if not location.startswith(WIZARD + "student/"):
        raise JourneyError(f"the sign-in led to {location}, not the wizard's first step")
    post(browser, location, {"action": "confirm"}, page, label="資訊正確")
    _, page = follow(browser, location)
    location, page = follow(browser, post(browser, location, {"action": "next"}, page))
    location, page = follow(browser, post(browser, location, {"choice": "agreed"}, page))
    applicant = {
        "name": f"王大同{person.index}",
        "relationship": "父子",
        "id_number": person.parent_id,
        "mobile": f"09{person.index:08d}",
        "email": person.email,
    }
    data = {"application_type": "1", "action": "submit"}  # 一位申請帳號
    data |= {f"applicant1-{name}": value for name, value in applicant.items()}
    location, page = follow(browser, post(browser, location, data, page, label="確認送出"))
    if location.endswith("/verify/"):
        _, body = mailbox.wait_for(person.email, CODE_SUBJECT)
        code = CODE.search(body)
        if code is None:
            raise JourneyError("no code in the verification mail")
        location, page = follow(
            browser, post(browser, location, {"code0-code": code.group(1)}, page, label="驗證碼")
        )
    if SUCCESS not in page:
        raise JourneyError(f"no {SUCCESS} at {location}")
    _sign_out(browser)


def parent_signs_in(browser: Browser, person: Person, mailbox: Mailbox, timeout: float) -> None:
    """After the approval mail: the parent tab, the first password (the ID's last six digits),
    the forced change, and the parent's home listing the child."""
    mailbox.wait_for(person.email, APPROVED_SUBJECT, timeout=timeout)
    path, page = signin_page(browser, "parent")
    location = post(
        browser,
        "/signin/",
        {
            "tab": "parent",
            "email": person.email,
            "password": person.first_parent_password,
            **captcha(page),
        },
        page,
        label="parent",
    )
    location = _forced_change(browser, location, new_password(person, "parent"))
    location, page = follow(browser, location)
    if f"王小明{person.index}" not in page:
        raise JourneyError(f"the parent's home ({location}) does not list the child")
    _sign_out(browser)


def _forced_change(browser: Browser, location: str, password: str) -> str:
    if not location.startswith("/signin/password/"):
        raise JourneyError(f"the first sign-in led to {location}, not the forced change")
    _, page = browser.get(kind_of("GET", location), location)
    return post(browser, location, {"new_password1": password, "new_password2": password}, page)


def _sign_out(browser: Browser) -> None:
    _, page = browser.get(kind_of("GET", "/signin/signout/"), "/signin/signout/")
    post(browser, "/signin/signout/", {}, page)


def registrar_signs_in(browser: Browser, registrar: Registrar) -> None:
    """Password, then a code from the authenticator (TOTP, computed as the phone app does)."""
    from django_otp.oath import TOTP

    _, page = browser.get(kind_of("GET", "/admin/login/"), "/admin/login/")
    location = post(
        browser,
        "/admin/login/",
        {"username": registrar.username, "password": REGISTRAR_PASSWORD, "next": "/admin/"},
        page,
    )
    location, page = follow(browser, location)
    if location.startswith("/admin/two-factor/verify/"):
        code = f"{TOTP(unhexlify(registrar.totp_key)).token():06d}"
        location, page = follow(browser, post(browser, location, {"code": code}, page))
    if location != "/admin/":
        raise JourneyError(f"the registrar's sign-in ended at {location}")


def registrar_approves(browser: Browser, registrar: Registrar, stop: threading.Event) -> int:
    """The school's applications under review, approved in bulk (核准所選案件) a page at a time,
    until ``stop``; returns how many were sent for approval."""
    registrar_signs_in(browser, registrar)
    listing = "/admin/applications/?" + urlencode({"review_status": "in_review"})
    approved = 0
    while not stop.is_set():
        _, page = browser.get(kind_of("GET", "/admin/applications/") + " (in review)", listing)
        ids = sorted(set(APPLICATION_LINK.findall(page)))[:BATCH]
        if not ids:
            stop.wait(5.0)  # nothing waiting: look again in a moment
            continue
        action = "/admin/bulk/binding_forms/application/approve/?" + urlencode(
            [("id", pk) for pk in ids] + [("next", "/admin/applications/")]
        )
        browser.post(
            kind_of("POST", "/admin/bulk/binding_forms/application/approve/"), action, {}, page
        )
        approved += len(ids)
        stop.wait(2.0)  # a registrar reads the list before the next round
    return approved
