"""What parents asked for after trying the portal on a 390 px phone: 您 everywhere (Django's own
messages too), the sign-in form numbered as the handbook, the captcha's placeholder, and the
handbook's words above the two consent choices."""

import gettext
import re
from pathlib import Path

import django
import pytest
from django.utils import translation

from binding_forms.binding.forms import ConsentForm

DJANGO_CATALOGS = [
    Path(django.__file__).parent / "conf/locale/zh_Hant/LC_MESSAGES/django.mo",
    Path(django.__file__).parent / "contrib/auth/locale/zh_Hant/LC_MESSAGES/django.mo",
]


def informal_messages() -> list[str]:
    """Django's own zh_Hant messages that say 你 (the informal you)."""
    found = []
    for path in DJANGO_CATALOGS:
        with path.open("rb") as file:
            catalog = gettext.GNUTranslations(file)
        found += [
            msgid[0] if isinstance(msgid, tuple) else msgid
            for msgid, msgstr in catalog._catalog.items()
            if msgid and "你" in msgstr
        ]
    return found


def test_django_says_you_politely_on_every_parent_facing_message():
    messages = informal_messages()
    assert "Your password can’t be entirely numeric." in messages  # the catalogs were read

    with translation.override("zh-hant"):
        informal = [
            message
            for message in messages
            if "你" in translation.gettext(message)
            # Only strings the parent pages can show: password and upload messages.
            and ("password" in message.lower() or "upload" in message.lower())
        ]

    assert informal == []


def test_the_password_change_page_says_you_politely(client, db):
    from tests.factories import UserFactory

    user = UserFactory(username="dad@example.com", password_change_required=True)
    client.force_login(user)

    page = client.get("/signin/password/")
    refused = client.post("/signin/password/", {"new_password1": "1", "new_password2": "1"})

    for response in (page, refused):
        html = response.content.decode()
        assert "你" not in html
    assert "您的密碼" in page.content.decode()


def test_the_sign_in_form_numbers_its_two_parts_as_the_handbook_does(client, songshan):
    """The handbook: 1.選擇學生就讀學校所在的行政區域，點選就讀學校。 2.輸入帳號密碼：
    Two headings: the district and the school under the first; account, password and code
    under the second."""
    html = client.get("/signin/").content.decode()

    parts = re.findall(r'<h2 class="signin-part">(.*?)</h2>', html)
    assert parts == ["1. 選擇學生就讀學校所在的行政區域，點選就讀學校", "2. 輸入帳號密碼"]
    first = html.index(parts[0])
    district = html.index('<label for="district-choice">學生就讀學校所在的行政區域</label>')
    school = html.index('id="id_school"')
    second = html.index(parts[1])
    account = html.index('id="id_account"')
    password = html.index('id="id_password"')
    assert first < district < school < second < account < password < html.index('id="id_captcha_1"')

    parent_tab = client.get("/signin/?tab=parent").content.decode()
    assert 'class="signin-part"' not in parent_tab  # the parts are the student account's


def test_the_captcha_placeholder_asks_politely(client, db):
    html = client.get("/signin/").content.decode()

    captcha = re.search(r'<input[^>]*name="captcha_1"[^>]*>', html).group(0)
    assert 'placeholder="請輸入驗證碼"' in captcha


@pytest.mark.django_db
def test_the_handbooks_words_stand_above_the_two_consent_choices(home_page):
    from binding_forms.binding.services import wizard_page_create

    page = wizard_page_create(parent=home_page)

    with translation.override("zh-hant"):
        label = str(ConsentForm(page=page).fields["choice"].label)

    assert label == "據上，請擇一勾選以下選項："
