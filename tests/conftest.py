import pytest
from wagtail.models import Page

from home.models import HomePage


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def home_page(db) -> HomePage:
    """The portal home the migrations create at the site root."""
    return HomePage.objects.get()


@pytest.fixture
def root_page(db) -> Page:
    return Page.objects.get(depth=1)
