import datetime

import pytest

from home.roc_dates import format_roc_date, roc_year
from home.templatetags.roc_dates import roc_date


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        (datetime.date(2020, 8, 16), "109/08/16"),
        (datetime.date(2020, 8, 5), "109/08/05"),
        (datetime.date(1912, 1, 1), "1/01/01"),
        (datetime.date(2010, 12, 31), "99/12/31"),
        (datetime.date(2011, 1, 1), "100/01/01"),
        (datetime.date(2026, 11, 28), "115/11/28"),
        # Leap days: 2020 and 2024 are leap years (民國 109 and 113).
        (datetime.date(2020, 2, 29), "109/02/29"),
        (datetime.date(2024, 2, 29), "113/02/29"),
        (datetime.date(2000, 2, 29), "89/02/29"),
    ],
)
def test_format_roc_date(date, expected):
    assert format_roc_date(date) == expected


def test_dates_before_the_roc_calendar_are_refused():
    with pytest.raises(ValueError, match="before the ROC calendar"):
        roc_year(datetime.date(1911, 12, 31))


def test_filter_uses_taipei_time_for_aware_datetimes(settings):
    # 2020-08-15 16:30 UTC is already 2020-08-16 00:30 in Taipei.
    moment = datetime.datetime(2020, 8, 15, 16, 30, tzinfo=datetime.UTC)
    assert roc_date(moment) == "109/08/16"


def test_filter_tolerates_empty_and_pre_roc_values():
    assert roc_date(None) == ""
    assert roc_date("2020-08-16") == ""
    assert roc_date(datetime.date(1900, 1, 1)) == "1900-01-01"
