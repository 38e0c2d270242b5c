"""The portal home (臺北市校務系統入口網) and its bulletins (訊息快遞).

Bulletins are pages, not snippets: each needs its own public URL, drafts, previews, scheduled
publishing and revision history, and editors find them in the page tree under the home page —
all things Wagtail gives pages for free.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page, TranslatableMixin
from wagtail.search import index

from binding_forms.languages import source_of
from home.bulletin_form import BulletinPageForm
from home.page_cache import PublicPageCacheMixin


class HomePage(PublicPageCacheMixin, RoutablePageMixin, Page):
    intro = RichTextField(
        _("introduction"),
        blank=True,
        features=["bold", "italic", "link", "ol", "ul"],
        help_text=_("Shown under the title, above the two entry points."),
    )

    content_panels = [*Page.content_panels, FieldPanel("intro")]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [
        "home.BulletinPage",
        "binding_forms.BindingWizardPage",
        "review_workflow.SchoolFormPage",
    ]
    max_count = 1

    class Meta:
        verbose_name = _("portal home page")

    def bulletins(self):
        """The bulletins under this home; an English home adds those with no English version
        yet, in zh-Hant (each says so in the page's markup)."""
        pages = BulletinPage.objects.live().public()
        source = source_of(self)
        if source is None:
            return pages.child_of(self).order_by("-date", "-pk")
        own = pages.child_of(self)
        untranslated = pages.child_of(source).exclude(
            translation_key__in=BulletinPage.objects.child_of(self).values("translation_key")
        )
        return (own | untranslated).order_by("-date", "-pk")

    def route(self, request, path_components):
        """An English home routes what it does not hold itself to the zh-Hant home: a page with
        no English version yet is served in zh-Hant at the same address, never a 404."""
        try:
            return super().route(request, path_components)
        except Http404:
            source = source_of(self) if path_components else None
            if source is None:
                raise
            return source.route(request, path_components)

    @path("")
    def index(self, request):
        paginator = Paginator(self.bulletins(), settings.BULLETINS_PER_PAGE)
        return self.render(
            request, context_overrides={"bulletins": paginator.get_page(request.GET.get("page"))}
        )

    @path("feed/", name="feed")
    def rss_feed(self, request):
        from home.feeds import BulletinRssFeed

        return BulletinRssFeed(self)(request)

    @path("feed/atom/", name="atom_feed")
    def atom_feed(self, request):
        from home.feeds import BulletinAtomFeed

        return BulletinAtomFeed(self)(request)


class BulletinPage(PublicPageCacheMixin, Page):
    date = models.DateField(_("date"), default=timezone.localdate)
    body = RichTextField(_("body"), blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("date"),
        FieldPanel("body"),
        InlinePanel("attachments", label=_("attached documents")),
    ]
    search_fields = [*Page.search_fields, index.SearchField("body")]

    parent_page_types = ["home.HomePage"]
    subpage_types: list[str] = []
    base_form_class = BulletinPageForm

    class Meta:
        verbose_name = _("bulletin")
        verbose_name_plural = _("bulletins")


class BulletinAttachment(Orderable):
    page = ParentalKey(BulletinPage, on_delete=models.CASCADE, related_name="attachments")
    document = models.ForeignKey(
        "wagtaildocs.Document",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("document"),
    )
    label = models.CharField(
        _("link text"),
        max_length=255,
        blank=True,
        help_text=_("Leave empty to use the document's title."),
    )

    panels = [FieldPanel("document"), FieldPanel("label")]

    class Meta(Orderable.Meta):
        verbose_name = _("attached document")
        verbose_name_plural = _("attached documents")

    @property
    def link_text(self) -> str:
        return self.label or self.document.title


def validate_service_link(value: str) -> None:
    """A path on this site (``/demo/payments/``) or an https address: never ``javascript:``."""
    if value.startswith("/") and not value.startswith("//"):
        return
    if value.startswith("https://") and len(value) > len("https://"):
        return
    raise ValidationError(
        _("Give a path on this site (starting with /) or an address starting with https://."),
        code="service_link",
    )


class PortalService(TranslatableMixin, Orderable):
    """One of the city's services a parent reaches from their home (我的孩子): 臺北酷課雲,
    校園繳費系統… Editors keep the list (name, description, icon, link) in order, and give each
    an English version with Translate (wagtail.contrib.simple_translation)."""

    name = models.CharField(_("name"), max_length=100)
    description = models.CharField(_("description"), max_length=255, blank=True)
    icon = models.ForeignKey(
        "wagtailimages.Image",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("icon"),
    )
    link = models.CharField(_("link"), max_length=500, validators=[validate_service_link])
    signs_in_through_portal = models.BooleanField(
        _("signs in through the portal"),
        default=False,
        help_text=_("The service signs parents in with their portal account (single sign-on)."),
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("description"),
        FieldPanel("icon"),
        FieldPanel("link"),
        FieldPanel("signs_in_through_portal"),
    ]

    class Meta(TranslatableMixin.Meta, Orderable.Meta):
        verbose_name = _("service")
        verbose_name_plural = _("services")

    def __str__(self) -> str:
        return self.name
