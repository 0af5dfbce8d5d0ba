"""Idempotency keys and history splitting: pure functions the batch path relies on."""

from datetime import date
from decimal import Decimal

from xero.batch import chunk_key, clean, derive_key, digest, split_text


def test_keys_are_stable_and_payload_sensitive():
    chunk = [("move/1/v1", {"Type": "ACCPAY", "Total": Decimal("10.50")})]
    same = [("move/1/v1", {"Total": 10.5, "Type": "ACCPAY"})]  # key order, float spelling
    assert chunk_key("save_invoices", "t1", chunk) == chunk_key("save_invoices", "t1", same)
    changed = [("move/1/v1", {"Type": "ACCPAY", "Total": Decimal("10.51")})]
    assert chunk_key("save_invoices", "t1", chunk) != chunk_key("save_invoices", "t1", changed)
    assert chunk_key("save_invoices", "t1", chunk) != chunk_key("save_invoices", "t2", chunk)
    key = derive_key("op", "tenant", "x")
    assert key == derive_key("op", "tenant", "x") and len(key) <= 128


def test_clean_drops_none_and_formats_dates():
    assert clean({"A": None, "B": [1, None], "D": date(2026, 1, 2)}) == {
        "B": [1],
        "D": "2026-01-02",
    }
    assert digest({"A": None, "B": 1}) == digest({"B": 1})


def test_split_text_respects_250_chars():
    text = ("word " * 120).strip()
    parts = split_text(text)
    assert all(len(p) <= 250 for p in parts)
    assert " ".join(parts) == text
    assert split_text("x" * 600) == ["x" * 250, "x" * 250, "x" * 100]
    assert split_text("   ") == []


def test_parse_xero_dates():
    from datetime import UTC, datetime

    from xero.dates import parse_date

    assert parse_date("/Date(1552431874852+0000)/") == datetime(
        2019, 3, 12, 23, 4, 34, 852000, tzinfo=UTC
    )
    assert parse_date("/Date(1543449600000)/") == datetime(2018, 11, 29, tzinfo=UTC)
    assert parse_date("2026-11-20T00:00:00") == date(2026, 11, 20)
    assert parse_date("2026-11-20") == date(2026, 11, 20)
    assert parse_date("2026-11-20T10:30:00Z") == datetime(2026, 11, 20, 10, 30, tzinfo=UTC)
    assert parse_date(None) is None
