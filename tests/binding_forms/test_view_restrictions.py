"""A form page's privacy: the restrictions Wagtail checks before every step are Wagtail's own
rule's (the page's, its ancestors', an alias answering with its source page's), read in one
query instead of two, and a restricted step is not served."""

import pytest
from wagtail.models import Page, PageViewRestriction

from binding_forms.models import BindingWizardPage
from tests.binding_forms.test_wizard import url


def restriction(page, kind=PageViewRestriction.PASSWORD) -> PageViewRestriction:
    return PageViewRestriction.objects.create(page=page, restriction_type=kind, password="x")


def ours(page) -> list[int]:
    return sorted(item.pk for item in page.get_view_restrictions())


def wagtails(page) -> list[int]:
    return sorted(item.pk for item in Page.get_view_restrictions(page))


@pytest.mark.django_db
def test_the_restrictions_are_wagtails_read_in_one_query(
    wizard, home_page, root_page, django_assert_num_queries
):
    with django_assert_num_queries(1):
        assert ours(wizard) == []
    assert wagtails(wizard) == []

    on_home = restriction(home_page)
    on_wizard = restriction(wizard, PageViewRestriction.LOGIN)
    with django_assert_num_queries(1):
        assert ours(wizard) == [on_home.pk, on_wizard.pk]
    assert ours(wizard) == wagtails(wizard)

    # An alias of the wizard under another section: its source page's restrictions and its own
    # ancestors' count, not those of its source page's ancestors (the home page's).
    section = root_page.add_child(instance=Page(title="其他入口", slug="other"))
    alias = BindingWizardPage.objects.get(pk=wizard.create_alias(parent=section).pk)
    on_section = restriction(section)
    assert ours(alias) == wagtails(alias) == sorted([on_wizard.pk, on_section.pk])
    on_wizard.delete()
    assert ours(alias) == wagtails(alias) == [on_section.pk]

    # Wagtail copied the wizard's restriction onto the alias, which then answers with its
    # source's only; an alias of that alias follows the chain to the original.
    assert alias.view_restrictions.exists()
    on_wizard = restriction(wizard)
    second = BindingWizardPage.objects.get(
        pk=alias.create_alias(parent=home_page, update_slug="again").pk
    )
    assert second.alias_of_id == alias.pk
    assert ours(second) == wagtails(second) == sorted([on_home.pk, on_wizard.pk])


@pytest.mark.django_db
def test_a_step_under_a_restricted_page_is_not_served(parent_client, wizard, home_page):
    open_step = parent_client.get(url(wizard, "student"))
    assert "binding_forms/binding_wizard/student.html" in [t.name for t in open_step.templates]
    restriction(home_page)

    response = parent_client.get(url(wizard, "student"))

    used = [template.name for template in response.templates]
    assert response.status_code == 200
    assert "binding_forms/binding_wizard/student.html" not in used
    assert 'name="password"' in response.content.decode()
