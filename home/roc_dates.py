"""Dates in the Republic of China calendar, as Taiwanese schools write them (109/08/16)."""

import datetime

ROC_EPOCH_YEAR = 1911


def roc_year(value: datetime.date) -> int:
    """民國 year of a Gregorian date; the calendar starts in 1912 (民國元年)."""
    year = value.year - ROC_EPOCH_YEAR
    if year < 1:
        raise ValueError(f"{value.isoformat()} is before the ROC calendar (1912-01-01).")
    return year


def format_roc_date(value: datetime.date) -> str:
    """``2020-08-16`` → ``109/08/16``; ``2010-12-31`` → ``99/12/31`` (the year is not padded)."""
    return f"{roc_year(value)}/{value.month:02d}/{value.day:02d}"
