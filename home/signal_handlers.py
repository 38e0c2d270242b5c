"""What the portal home reacts to: any change an anonymous visitor could see purges the page
cache (home/page_cache.py) at once."""

from django.db.models.signals import post_delete, post_save
from wagtail.documents import get_document_model
from wagtail.models import PageViewRestriction, Site, get_page_models
from wagtail.signals import page_published, page_unpublished

from home.page_cache import page_cache_purge


def purge_page_cache(**kwargs) -> None:
    page_cache_purge()


def connect() -> None:
    """Publish and unpublish (editors, scheduled publishing), and every save or delete of a page
    (moves, titles, imports), of its privacy (a page made private must leave the cache), a
    document (a bulletin's attachment) or a site."""
    page_published.connect(purge_page_cache, dispatch_uid="page_cache_published")
    page_unpublished.connect(purge_page_cache, dispatch_uid="page_cache_unpublished")
    for model in [*get_page_models(), PageViewRestriction, get_document_model(), Site]:
        for signal in (post_save, post_delete):
            signal.connect(
                purge_page_cache,
                sender=model,
                dispatch_uid=f"page_cache_{signal is post_save}_{model._meta.label}",
            )
