from django.contrib.syndication.views import Feed
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import strip_tags
from django.utils.text import Truncator

from home.roc_dates import format_roc_date


class BulletinRssFeed(Feed):
    """The 訊息快遞 list as RSS 2.0: the newest bulletins of one home page."""

    items_shown = 30

    def __init__(self, home_page):
        super().__init__()
        self.home_page = home_page

    def title(self):
        return f"{self.home_page.title} — 訊息快遞"

    def link(self):
        return self.home_page.url

    def description(self):
        return f"{self.home_page.title} 訊息快遞"

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


class BulletinAtomFeed(BulletinRssFeed):
    feed_type = Atom1Feed
    subtitle = BulletinRssFeed.description
