"""Dates: the one place that reads them. Documents store ISO `YYYY-MM-DD`; queries name a day, a
month or a year (`date:2025-12`), each of which is a range of days."""

from __future__ import annotations

import calendar
import datetime as dt
import re

__all__ = ["parse_date", "period"]

# The spellings a document's date may have, and which groups are year, month and day.
_DATE_FORMATS = (
    (re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ].*)?"), (1, 2, 3)),  # ISO, maybe with a time
    (re.compile(r"(\d{1,2})[./](\d{1,2})[./](\d{4})"), (3, 2, 1)),  # 16/02/2006, 16.02.2006
)
_YEAR = re.compile(r"\d{4}")
_MONTH = re.compile(r"\d{4}-\d{2}")


def parse_date(value: str) -> str:
    """`value` as ISO `YYYY-MM-DD`; accepts ISO (with an optional time), DD/MM/YYYY and DD.MM.YYYY.
    Raises ValueError with a one-line reason for anything else or an impossible date."""
    text = value.strip()
    for pattern, (y, m, d) in _DATE_FORMATS:
        match = pattern.fullmatch(text)
        if match:
            try:
                return dt.date(int(match[y]), int(match[m]), int(match[d])).isoformat()
            except ValueError:
                raise ValueError(f"impossible date {value!r}") from None
    raise ValueError(f"invalid date {value!r}: use YYYY-MM-DD")


def period(text: str) -> tuple[str, str]:
    """The first and last day of a day (YYYY-MM-DD), month (YYYY-MM) or year (YYYY), as ISO dates
    that compare as strings. Raises ValueError for anything else."""
    if _YEAR.fullmatch(text):
        return f"{text}-01-01", f"{text}-12-31"
    if _MONTH.fullmatch(text):
        first = dt.date.fromisoformat(parse_date(f"{text}-01"))
        last = calendar.monthrange(first.year, first.month)[1]
        return first.isoformat(), first.replace(day=last).isoformat()
    day = parse_date(text)
    return day, day
