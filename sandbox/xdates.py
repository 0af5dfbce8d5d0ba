"""Xero's wire formats for dates: ``/Date(ms+0000)/`` plus plain ISO strings on input."""

import re
from datetime import UTC, date, datetime, timedelta

MS_RE = re.compile(r"^/Date\((-?\d+)([+-]\d{4})?\)/$")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def ms_date(value):
    """Render a datetime/date/timestamp as Xero's ``/Date(ms+0000)/``."""
    if isinstance(value, (int, float)):
        ms = int(value * 1000)
    else:
        if isinstance(value, date) and not isinstance(value, datetime):
            value = datetime(value.year, value.month, value.day, tzinfo=UTC)
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        ms = int((value - EPOCH).total_seconds() * 1000)
    return f"/Date({ms}+0000)/"


def parse_datetime(value):
    """Parse ``/Date(ms)/``, ``YYYY-MM-DD`` or ISO datetime; returns aware UTC datetime."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    text = str(value).strip()
    match = MS_RE.match(text)
    if match:
        return EPOCH + timedelta(milliseconds=int(match.group(1)))
    text = text.replace("Z", "+00:00")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"'{value}' is not a valid date") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def parse_date(value):
    parsed = parse_datetime(value)
    return parsed.date() if parsed else None


def date_fields(value):
    """``(Date, DateString)`` pair for a calendar date as Xero returns them."""
    day = parse_date(value)
    return ms_date(day), day.strftime("%Y-%m-%dT00:00:00")
