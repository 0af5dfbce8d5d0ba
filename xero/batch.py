"""What the client sends in batches: record kinds, idempotency keys, per-element results."""

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

CHUNK_SIZE = 50  # Xero recommends ~50 elements per request
HISTORY_MAX = 250  # Xero's limit on one history record's Details


@dataclass(frozen=True)
class Kind:
    """A Xero collection the addon writes."""

    collection: str  # JSON wrapper and URL segment, e.g. "Invoices"
    id_field: str  # e.g. "InvoiceID"
    status_field: str = "Status"
    put_only: bool = False  # Xero has no batch POST (update-or-create) for it


KINDS = {
    "contacts": Kind("Contacts", "ContactID", "ContactStatus"),
    "items": Kind("Items", "ItemID", None),
    "invoices": Kind("Invoices", "InvoiceID"),
    "credit_notes": Kind("CreditNotes", "CreditNoteID"),
    "purchase_orders": Kind("PurchaseOrders", "PurchaseOrderID"),
    "payments": Kind("Payments", "PaymentID", put_only=True),
}


def kind_of(name):
    try:
        return KINDS[name]
    except KeyError:
        known = ", ".join(sorted(KINDS))
        raise ValueError(f"unknown Xero record kind {name!r} (one of {known})") from None


@dataclass
class BatchResult:
    """The outcome of one element of a batch, under the caller's key."""

    key: object
    ok: bool
    xero_id: str = None
    status: str = None
    errors: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    record: dict = None  # Xero's JSON for the element (PascalCase, numbers as Decimal)
    exception: Exception = None  # set when the whole chunk failed (rate limit, network...)
    idempotency_key: str = None  # the key its chunk was sent with

    @property
    def retryable(self):
        return bool(self.exception is not None and self.exception.retryable)


def clean(value):
    """Drop None values (Xero's JSON has no null to send) and format dates."""
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value if v is not None]
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _json_default(value):
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def digest(value):
    """Stable sha256 of a payload (key order and Decimal/float spelling do not matter)."""
    if isinstance(value, (bytes, bytearray)):
        return hashlib.sha256(value).hexdigest()
    text = json.dumps(
        _floats_as_decimal(clean(value)),
        sort_keys=True,
        separators=(",", ":"),
        default=_json_default,
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _floats_as_decimal(value):
    if isinstance(value, dict):
        return {k: _floats_as_decimal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_floats_as_decimal(v) for v in value]
    if isinstance(value, float):
        return Decimal(repr(value))
    return value


def derive_key(operation, tenant_id, *parts):
    """Idempotency-Key from what is written: same inputs, same key (128 chars max)."""
    text = "\x1f".join([str(operation), str(tenant_id)] + [str(p) for p in parts])
    return "xc-" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def chunk_key(operation, tenant_id, chunk):
    """Key for a chunk of ``(key, payload)``: its element keys and payloads, in order."""
    return derive_key(operation, tenant_id, *(f"{k}={digest(p)}" for k, p in chunk))


def split_refs(records):
    """``[(key, payload[, ref]), ...]`` -> (``[(key, cleaned payload)]``, ``[ref or None]``)."""
    pairs, refs = [], []
    for element in records:
        key, payload, *ref = element
        if len(ref) > 1:
            raise ValueError("a batch element is (key, payload) or (key, payload, ref)")
        pairs.append((key, clean(payload)))
        refs.append(ref[0] if ref else None)
    return pairs, refs


def chunks(records, size=CHUNK_SIZE):
    for start in range(0, len(records), size):
        yield records[start : start + size]


def element_result(kind, key, element):
    """Map one element of a ``summarizeErrors=false`` answer to a BatchResult."""
    element = element if isinstance(element, dict) else {}
    errors = [e.get("Message") for e in element.get("ValidationErrors") or [] if e.get("Message")]
    warnings = [w.get("Message") for w in element.get("Warnings") or [] if w.get("Message")]
    failed = (
        bool(errors)
        or bool(element.get("HasErrors"))
        or (str(element.get("StatusAttributeString") or "").upper() == "ERROR")
    )
    if failed and not errors:
        errors = ["Xero rejected this record without a message"]
    return BatchResult(
        key=key,
        ok=not failed,
        xero_id=element.get(kind.id_field),
        status=element.get(kind.status_field) if kind.status_field else None,
        errors=errors,
        warnings=warnings,
        record=element,
    )


def failed_results(chunk, exc):
    """Every element of ``chunk`` failed with the same error."""
    return [
        BatchResult(key=k, ok=False, errors=[exc.user_message()], exception=exc)
        for k, _payload in chunk
    ]


def split_text(text, size=HISTORY_MAX):
    """Split a note into pieces Xero accepts, on spaces when possible."""
    text = " ".join(str(text).split())
    parts = []
    while len(text) > size:
        cut = text.rfind(" ", 0, size + 1)
        cut = cut if cut > size // 2 else size
        parts.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    if text:
        parts.append(text)
    return parts
