"""What the wizard's routing memory (binding_forms/binding/routing.py) relies on in Wagtail and
Django that is not their public API. A Wagtail or Django upgrade that changes any of it fails
here, before the memory routes a request wrongly."""

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page, Site
from wagtail.url_routing import RouteResult

from binding_forms.binding import routing


@pytest.mark.django_db
def test_the_sites_table_is_read_as_the_model_declares_it():
    assert Site._meta.db_table == "wagtailcore_site"
    assert tuple(field.column for field in Site._meta.concrete_fields) == routing.SITE_FIELDS
    site = Site.objects.get(is_default_site=True)
    (row,) = [row for row in routing._sites() if row[0] == site.pk]
    rebuilt = Site(**dict(zip(routing.SITE_FIELDS, row, strict=True)))
    assert (rebuilt.pk, rebuilt.hostname, rebuilt.port, rebuilt.root_page_id) == (
        site.pk,
        site.hostname,
        site.port,
        site.root_page_id,
    )


@pytest.mark.django_db
def test_wagtail_finds_the_site_from_the_raw_host_and_keeps_it_on_the_request():
    site = Site.objects.get(is_default_site=True)
    request = RequestFactory().get("/", HTTP_HOST=f"{site.hostname}:{site.port}")
    assert request._get_raw_host() == f"{site.hostname}:{site.port}"
    assert Site._find_for_request(request) == site

    kept = Site(pk=site.pk, hostname="kept.example", port=81, root_page_id=site.root_page_id)
    request._wagtail_site = kept
    with CaptureQueriesContext(connection) as queries:
        assert Site.find_for_request(request) is kept
    assert not queries


@pytest.mark.django_db
def test_wagtail_serves_the_route_kept_on_the_request():
    page = Page.objects.get(depth=2)
    route = RouteResult(page, kwargs={"step": "student"})
    request = RequestFactory().get("/anything/")
    request._wagtail_route_for_request = route
    with CaptureQueriesContext(connection) as queries:
        assert Page.route_for_request(request, "/anything/") is route
    assert not queries


@pytest.mark.django_db
def test_modelcluster_keeps_a_pages_unsaved_children_where_step_choices_looks():
    """BindingWizardPage.step_choices serves a preview's unsaved choices, not the published
    ones it keeps per process, by looking for modelcluster's in-memory children."""
    from binding_forms.binding.services import wizard_page_create
    from binding_forms.models import RelationshipChoice
    from home.models import HomePage

    page = wizard_page_create(parent=HomePage.objects.get())
    published = page.step_choices()
    fresh = type(page).objects.get(pk=page.pk)
    assert not fresh.__dict__.get("_cluster_related_objects")

    fresh.relationships.add(RelationshipChoice(label="外祖孫"))

    assert fresh.__dict__.get("_cluster_related_objects")
    assert "外祖孫" in fresh.step_choices().relationships
    assert "外祖孫" not in published.relationships
