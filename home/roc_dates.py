"""Dates in the Republic of China calendar, as Taiwanese schools write them (109/08/16)."""

import datetime
import re
import unicodedata

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


_ROC_TYPED = re.compile(
    r"\s*(?:民國)?\s*(\d{1,4})\s*(?:[/.\-]|年)\s*(\d{1,2})\s*(?:[/.\-]|月)\s*(\d{1,2})\s*日?\s*"
)


def parse_roc_date(text: str) -> datetime.date:
    """What an editor types: ``115/08/16``, ``115-8-16``, ``民國115年8月16日`` (a year of four
    digits from 1912 on is taken as Gregorian: ``2026-08-16``). ValueError says which part is
    wrong, for the message beside the field."""
    match = _ROC_TYPED.fullmatch(unicodedata.normalize("NFKC", text or ""))
    if match is None:
        raise ValueError("format")
    year, month, day = (int(part) for part in match.groups())
    if year > ROC_EPOCH_YEAR:
        gregorian = year
    elif 1 <= year <= 999:
        gregorian = year + ROC_EPOCH_YEAR
    else:
        raise ValueError("year")
    try:
        return datetime.date(gregorian, month, day)
    except ValueError:
        raise ValueError("day") from None
