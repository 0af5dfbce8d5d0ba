"""Xero's date spellings, read into Python values."""

import re
from datetime import UTC, date, datetime, timedelta, timezone

_MS_DATE = re.compile(r"^/Date\((-?\d+)([+-]\d{4})?\)/$")


def parse_date(value):
    """Return a ``datetime`` (aware, UTC) from Xero's ``/Date(ms+zzzz)/`` or ISO text.

    ISO values without a time (``2026-11-20`` or ``2026-11-20T00:00:00``) come back as
    ``date`` when the time is midnight and no zone is given, as Xero means a day there.
    None and "" give None.
    """
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return value
    text = str(value).strip()
    match = _MS_DATE.match(text)
    if match:
        moment = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=int(match[1]))
        if match[2]:
            sign = 1 if match[2][0] == "+" else -1
            offset = timedelta(hours=int(match[2][1:3]), minutes=int(match[2][3:5]))
            moment = moment.astimezone(timezone(sign * offset))
        return moment.astimezone(UTC)
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        if parsed.time() == datetime.min.time():
            return parsed.date()
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)
