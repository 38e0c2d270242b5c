from django.contrib.syndication.views import Feed
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from binding_forms.languages import content_language, html_lang
from home.roc_dates import format_roc_date


class LanguageMarkedAtom1Feed(Atom1Feed):
    """An entry in another language than the feed's says so (``xml:lang``): an English home
    lists the bulletins with no English version yet, in zh-Hant."""

    def item_attributes(self, item):
        attributes = super().item_attributes(item)
        if item.get("lang"):
            attributes["xml:lang"] = item["lang"]
        return attributes


class BulletinRssFeed(Feed):
    """The 訊息快遞 list as RSS 2.0: the newest bulletins of one home page.

    Its language is the home page's, what the feed holds (Django would name the visitor's, and
    a visitor who chose English reads the zh-Hant home until editors translate it)."""

    items_shown = 30

    def __init__(self, home_page):
        super().__init__()
        self.home_page = home_page
        self.language = html_lang(content_language(home_page))

    def get_feed(self, obj, request):
        feed = super().get_feed(obj, request)
        feed.feed["language"] = self.language  # as Django 6 does from ``language``; 5.2 too
        return feed

    def title(self):
        return f"{self.home_page.title} — {_('Bulletins')}"

    def link(self):
        return self.home_page.url

    def description(self):
        return f"{self.home_page.title} {_('Bulletins')}"

    def items(self):
        return self.home_page.bulletins()[: self.items_shown]

    def item_title(self, item):
        return f"{format_roc_date(item.date)} {item.title}"

    def item_description(self, item):
        return Truncator(strip_tags(item.body)).chars(300)

    def item_link(self, item):
        return item.url

    def item_pubdate(self, item):
        return item.first_published_at or timezone.now()

    def item_updateddate(self, item):
        return item.last_published_at

    def item_extra_kwargs(self, item):
        language = html_lang(content_language(item))
        return {"lang": language if language != self.language else ""}


class BulletinAtomFeed(BulletinRssFeed):
    feed_type = LanguageMarkedAtom1Feed
    subtitle = BulletinRssFeed.description
