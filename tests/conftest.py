import pytest
from django.db import connection
from wagtail.models import Page

from home.models import HomePage
from tests.factories import registrar_user, school


def pytest_collection_modifyitems(items):
    """Every test in real transactions keeps the migrated rows (``migrated_rows_kept``): the
    first one to run takes their copy. A transactional test without it, run first, would empty
    the tables before the copy is taken (PostgreSQL then also renumbers the content types that
    post_migrate makes again), and every later live-server or concurrency test would meet an
    empty site."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker is not None and marker.kwargs.get("transaction"):
            item.fixturenames.append("migrated_rows_kept")


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _page_cache_empty():
    """The page cache is process memory in tests: no test sees pages another one kept (their
    database rows are rolled back without the commit that would purge it)."""
    from home.page_cache import page_cache

    page_cache().clear()


@pytest.fixture
def home_page(db) -> HomePage:
    """The portal home the migrations create at the site root."""
    return HomePage.objects.get()


@pytest.fixture
def root_page(db) -> Page:
    return Page.objects.get(depth=1)


@pytest.fixture(scope="session")
def _migrated_rows(django_db_setup, django_db_blocker) -> str:
    """What the migrations put in the database (the home page, groups), as Django serializes it;
    taken at the first transactional test, before any of them empties the tables."""
    with django_db_blocker.unblock():
        return connection.creation.serialize_db_to_string()


@pytest.fixture
def migrated_rows_kept(_migrated_rows, django_db_serialized_rollback):
    """For tests in real transactions (the live server, concurrency): Django's serialized
    rollback puts the migrated rows back after each one.

    Playwright's sync API runs tests in a greenlet whose context gets its own database connection
    object, without the contents Django serialized when it created the test database: hand them
    to it, or the first such test would leave every later one an empty site.
    """
    if not hasattr(connection, "_test_serialized_contents"):
        connection._test_serialized_contents = _migrated_rows
        if not Page.objects.exists():  # emptied by an earlier test, restored too late for this one
            connection.creation.deserialize_db_from_string(_migrated_rows)


# The handbook's school and a neighbour, each with its registration office ------------------


@pytest.fixture
def songshan(db):
    return school()


@pytest.fixture
def yingqiao(db):
    return school(moe_code="353601", name="臺北市立螢橋國民小學", district="中正區")


@pytest.fixture
def registrar(songshan):
    return registrar_user(of_school=songshan, username="songshan-registrar")


@pytest.fixture
def other_registrar(yingqiao):
    return registrar_user(of_school=yingqiao, username="yingqiao-registrar")
