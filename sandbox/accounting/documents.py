"""Create/update logic shared by Invoices, CreditNotes and PurchaseOrders: required
fields, status transitions, contacts, lines and totals, numbering and events."""

import copy
import uuid
from datetime import UTC, datetime

from .. import rules
from ..xdates import date_fields, parse_date


class Kind:
    def __init__(self, **kw):
        self.__dict__.update(kw)


INVOICE = Kind(
    coll="Invoices",
    id="InvoiceID",
    number="InvoiceNumber",
    prefix="INV",
    label="Invoice",
    types=("ACCREC", "ACCPAY"),
    sales_types=("ACCREC",),
    event="INVOICE",
    create_statuses=("DRAFT", "SUBMITTED", "AUTHORISED"),
    transitions={
        "DRAFT": {"DRAFT", "SUBMITTED", "AUTHORISED", "DELETED"},
        "SUBMITTED": {"SUBMITTED", "AUTHORISED", "DRAFT", "DELETED"},
        "AUTHORISED": {"AUTHORISED", "VOIDED"},
        "PAID": {"PAID"},
        "VOIDED": set(),
        "DELETED": set(),
    },
    editable=("DRAFT", "SUBMITTED", "AUTHORISED"),
    creates_contact=True,
    has_type=True,
    date_fields=("Date", "DueDate", "ExpectedPaymentDate", "PlannedPaymentDate"),
    scalar_fields=("Reference", "Url", "BrandingThemeID", "SentToContact", "CurrencyRate"),
    paid_fields=(
        "Reference",
        "DueDate",
        "InvoiceNumber",
        "BrandingThemeID",
        "Url",
        "ExpectedPaymentDate",
        "PlannedPaymentDate",
        "SentToContact",
    ),
)
CREDIT_NOTE = Kind(
    coll="CreditNotes",
    id="CreditNoteID",
    number="CreditNoteNumber",
    prefix="CN",
    label="Credit Note",
    types=("ACCRECCREDIT", "ACCPAYCREDIT"),
    sales_types=("ACCRECCREDIT",),
    event="CREDITNOTE",
    create_statuses=("DRAFT", "SUBMITTED", "AUTHORISED"),
    transitions=INVOICE.transitions,
    editable=("DRAFT", "SUBMITTED", "AUTHORISED"),
    creates_contact=True,
    has_type=True,
    date_fields=("Date", "DueDate"),
    scalar_fields=("Reference", "BrandingThemeID", "CurrencyRate"),
    paid_fields=("Reference",),
)
PURCHASE_ORDER = Kind(
    coll="PurchaseOrders",
    id="PurchaseOrderID",
    number="PurchaseOrderNumber",
    prefix="PO",
    label="Purchase Order",
    types=(),
    sales_types=(),
    event=None,
    create_statuses=("DRAFT", "SUBMITTED", "AUTHORISED"),
    transitions={
        "DRAFT": {"DRAFT", "SUBMITTED", "AUTHORISED", "DELETED"},
        "SUBMITTED": {"SUBMITTED", "AUTHORISED", "DRAFT", "DELETED"},
        "AUTHORISED": {"AUTHORISED", "SUBMITTED", "DRAFT", "BILLED", "DELETED"},
        "BILLED": {"BILLED", "AUTHORISED"},
        "DELETED": set(),
    },
    editable=("DRAFT", "SUBMITTED", "AUTHORISED"),
    creates_contact=False,
    has_type=False,
    date_fields=("Date", "DeliveryDate", "ExpectedArrivalDate"),
    scalar_fields=(
        "Reference",
        "BrandingThemeID",
        "DeliveryAddress",
        "AttentionTo",
        "Telephone",
        "DeliveryInstructions",
        "SentToContact",
        "CurrencyRate",
    ),
    paid_fields=(),
)
STATUS_HISTORY = {
    "SUBMITTED": "Submitted for approval",
    "AUTHORISED": "Approved",
    "VOIDED": "Voided",
    "DELETED": "Deleted",
    "BILLED": "Marked as billed",
    "DRAFT": "Returned to draft",
}


def add_history(ctx, doc_id, changes, details, user="System Generated"):
    ctx.org.history.setdefault(doc_id, []).append(
        {"Changes": changes, "DateUTC": ctx.stamp(), "User": user, "Details": details}
    )


def _find_existing(ctx, kind, element, mode):
    coll = ctx.org.coll(kind.coll)
    doc_id = element.get(kind.id)
    if doc_id:
        found = coll.get(doc_id)
        if found is None:
            return None, [f"{kind.label} with {kind.id} {doc_id} could not be found"]
        return found, []
    number = element.get(kind.number)
    if number and kind is not PURCHASE_ORDER:
        typ = element.get("Type")
        if typ in kind.sales_types:
            clash = next(
                (
                    d
                    for d in coll.values()
                    if d.get(kind.number) == number
                    and d.get("Type") == typ
                    and d.get("Status") != "DELETED"
                ),
                None,
            )
            if clash is not None:
                if mode == "create":
                    return None, [
                        (f"{'Invoice' if kind is INVOICE else 'Credit Note'} # must be unique.")
                    ]
                return clash, []
    return None, []


def save(ctx, kind, element, mode="upsert"):
    """Create or update one document. Returns ``(record, errors)``."""
    existing, errors = _find_existing(ctx, kind, element, mode)
    if errors:
        return None, errors
    if existing is None:
        return _create(ctx, kind, element)
    return _update(ctx, kind, existing, element)


def _dates(record, element, kind, errors):
    for field in kind.date_fields:
        if element.get(field) in (None, ""):
            continue
        try:
            record[field], record[field + "String"] = date_fields(element[field])
        except ValueError:
            errors.append(f"{field} '{element[field]}' is not a valid date")


def _ignored(kind, typ, field):
    """Reference is an ACCREC-only field on invoices: Xero drops it on bills (the bill's
    supplier reference is its InvoiceNumber)."""
    return kind is INVOICE and typ == "ACCPAY" and field == "Reference"


def _contact_summary(contact):
    keys = (
        "ContactID",
        "Name",
        "ContactNumber",
        "ContactStatus",
        "EmailAddress",
        "DefaultCurrency",
    )
    return {k: contact[k] for k in keys if contact.get(k) is not None}


def _lines(ctx, kind, record, element, status, errors):
    sales = record.get("Type") in kind.sales_types
    lat = record.get("LineAmountTypes") or "Exclusive"
    if lat not in rules.LINE_AMOUNT_TYPES:
        errors.append(f"LineAmountTypes '{lat}' is not valid")
        return
    unitdp = ctx.unitdp
    if "LineItems" in element:
        raw = element["LineItems"]
    else:
        # re-check the stored lines (status or LineAmountTypes change): keep their unit
        # prices as stored and recompute their tax
        raw = [
            {k: v for k, v in line.items() if k != "TaxAmount"}
            for line in record.get("LineItems", [])
        ]
        unitdp = 4
    lines, totals, errs = rules.build_lines(
        ctx.org,
        raw or [],
        record.get("LineItems"),
        lat,
        unitdp,
        sales=sales,
        allow_discount=record.get("Type") == "ACCREC",
        need_account=status in ("SUBMITTED", "AUTHORISED") and kind is not PURCHASE_ORDER,
        tracking_by_name=kind is PURCHASE_ORDER and "LineItems" in element,
    )
    errors.extend(errs)
    record["LineItems"] = lines
    record.update(totals)


def _create(ctx, kind, element):
    errors = []
    org = ctx.org
    record = {kind.id: str(uuid.uuid4())}
    if kind.has_type:
        typ = element.get("Type")
        if not typ:
            errors.append(f"{kind.label} Type must be specified")
        elif typ not in kind.types:
            errors.append(f"{kind.label} Type '{typ}' is not valid")
        record["Type"] = typ
    status = element.get("Status") or "DRAFT"
    if status not in kind.create_statuses:
        errors.append(f"{kind.label} Status '{status}' is not valid for creating a document")
    contact, cerrs, new_contact = rules.resolve_contact(
        org, element.get("Contact"), kind.creates_contact
    )
    errors.extend(cerrs)
    currency = element.get("CurrencyCode") or org.info["BaseCurrency"]
    cur_err = rules.check_currency(org, currency)
    if cur_err:
        errors.append(cur_err)
    if not element.get("LineItems"):
        errors.append("LineItems must be specified")
    for field in kind.scalar_fields:
        if field in element and not _ignored(kind, record.get("Type"), field):
            record[field] = element[field]
    record.update(
        {
            "Status": status,
            "LineAmountTypes": element.get("LineAmountTypes") or "Exclusive",
            "CurrencyCode": currency,
        }
    )
    if currency == org.info["BaseCurrency"] or not record.get("CurrencyRate"):
        record["CurrencyRate"] = 1.0
    day = datetime.fromtimestamp(ctx.now, tz=UTC).date().isoformat()
    record["Date"], record["DateString"] = date_fields(element.get("Date") or day)
    _dates(record, element, kind, errors)
    _lines(ctx, kind, record, element, status, errors)
    if errors:
        return None, errors
    if new_contact is not None:
        contact = _new_contact(ctx, new_contact)
    record["Contact"] = _contact_summary(contact)
    number = element.get(kind.number)
    if not number and (kind is PURCHASE_ORDER or record.get("Type") in kind.sales_types):
        number = org.next_number(kind.prefix)
    if number:
        record[kind.number] = number
    record.update({"HasAttachments": False, "UpdatedDateUTC": ctx.stamp()})
    if kind is not PURCHASE_ORDER:
        record.update(
            {"AmountDue": record["Total"], "AmountPaid": 0.0, "Payments": [], "HasErrors": False}
        )
    if kind is INVOICE:
        record.update(
            {
                "AmountCredited": 0.0,
                "CreditNotes": [],
                "IsDiscounted": False,
                "Prepayments": [],
                "Overpayments": [],
            }
        )
    if kind is CREDIT_NOTE:
        record.update({"RemainingCredit": record["Total"], "Allocations": [], "AppliedAmount": 0.0})
        record.pop("AmountDue")
        record.pop("AmountPaid")
    org.coll(kind.coll)[record[kind.id]] = record
    _flag_contact(org, contact["ContactID"], record.get("Type"))
    add_history(ctx, record[kind.id], "Created", f"{kind.label} created via the API.")
    _emit(ctx, kind, record, "CREATE")
    return record, []


def _new_contact(ctx, new_contact):
    contact = {
        "ContactID": new_contact["ContactID"],
        "Name": new_contact["Name"],
        "ContactStatus": "ACTIVE",
        "Addresses": [],
        "Phones": [],
        "ContactPersons": [],
        "ContactGroups": [],
        "IsSupplier": False,
        "IsCustomer": False,
        "HasAttachments": False,
        "UpdatedDateUTC": ctx.stamp(),
    }
    ctx.org.coll("Contacts")[contact["ContactID"]] = contact
    ctx.emit("CONTACT", "CREATE", contact["ContactID"], "Contacts")
    return contact


def _flag_contact(org, contact_id, typ):
    contact = org.coll("Contacts").get(contact_id)
    if contact is None:
        return
    if typ in ("ACCPAY", "ACCPAYCREDIT", None):
        contact["IsSupplier"] = True
    else:
        contact["IsCustomer"] = True


def _emit(ctx, kind, record, event_type):
    if kind.event is None:
        return
    data = (
        {"Type": record.get("Type"), "Status": record.get("Status")}
        if kind is CREDIT_NOTE
        else None
    )
    ctx.emit(kind.event, event_type, record[kind.id], kind.coll, data)


def _is_paid(kind, record):
    if kind is PURCHASE_ORDER:
        return False
    if kind is CREDIT_NOTE:
        return bool(record.get("Allocations")) or bool(record.get("Payments"))
    return bool(record.get("Payments")) or record.get("AmountCredited", 0) > 0


def _update(ctx, kind, existing, element):
    errors = []
    current = existing["Status"]
    status = element.get("Status") or current
    if status not in kind.transitions.get(current, set()):
        if status == "DELETED" and current == "AUTHORISED":
            return None, [
                (
                    f"{kind.label} not of valid status for modification: AUTHORISED "
                    "documents cannot be deleted, void them instead"
                )
            ]
        return None, [
            (
                f"{kind.label} not of valid status for modification "
                f"(cannot change {current} to {status})"
            )
        ]
    changed = {k for k in element if k not in (kind.id, "Status") and element[k] is not None}
    changed -= {"HasAttachments", "HasErrors", "IsDiscounted", "StatusAttributeString"}
    if status in ("VOIDED", "DELETED") and _is_paid(kind, existing):
        return None, [
            ("This document cannot be edited as it has a payment or credit note allocated to it.")
        ]
    if changed and _is_paid(kind, existing):
        if existing.get("Type") in ("ACCPAY", "ACCPAYCREDIT"):
            return None, [
                (
                    "This document cannot be edited as it has a payment or credit note "
                    "allocated to it."
                )
            ]
        extra = changed - set(kind.paid_fields) - {"LineItems", "Contact"}
        if extra or ("LineItems" in changed and _line_money_changed(existing, element)):
            return None, [
                "This document cannot be edited as it has a payment or credit note "
                "allocated to it. Only "
                + ", ".join(kind.paid_fields)
                + " and line descriptions, accounts and tracking can be changed."
            ]
    if changed and current not in kind.editable:
        return None, [f"{kind.label} not of valid status for modification"]
    if status in ("DELETED", "VOIDED"):
        record = existing
    else:
        record = copy.deepcopy(existing)
        contact = None
        if "Contact" in element:
            contact, cerrs, new_contact = rules.resolve_contact(
                ctx.org, element["Contact"], kind.creates_contact
            )
            errors.extend(cerrs)
        if element.get("CurrencyCode"):
            err = rules.check_currency(ctx.org, element["CurrencyCode"])
            if err:
                errors.append(err)
            record["CurrencyCode"] = element["CurrencyCode"]
        for field in (*kind.scalar_fields, kind.number, "LineAmountTypes"):
            if (
                field in element
                and element[field] is not None
                and not _ignored(kind, record.get("Type"), field)
            ):
                record[field] = element[field]
        _dates(record, element, kind, errors)
        if "LineItems" in element or "LineAmountTypes" in element or status != current:
            _lines(ctx, kind, record, element, status, errors)
        if errors:
            return None, errors
        if "Contact" in element:
            if new_contact is not None:
                contact = _new_contact(ctx, new_contact)
            record["Contact"] = _contact_summary(contact)
        if "AmountDue" in record:
            record["AmountDue"] = rules.num(
                rules.dec(record["Total"])
                - rules.dec(record.get("AmountPaid"))
                - rules.dec(record.get("AmountCredited"))
            )
        if kind is CREDIT_NOTE:
            record["RemainingCredit"] = rules.num(
                rules.dec(record["Total"]) - rules.dec(record.get("AppliedAmount"))
            )
    record["Status"] = status
    record["UpdatedDateUTC"] = ctx.stamp()
    ctx.org.coll(kind.coll)[record[kind.id]] = record
    if status != current:
        add_history(
            ctx,
            record[kind.id],
            STATUS_HISTORY.get(status, status),
            f"{kind.label} status changed from {current} to {status}.",
        )
    if changed:
        add_history(ctx, record[kind.id], "Edited", f"{kind.label} edited via the API.")
    _emit(ctx, kind, record, "UPDATE")
    return record, []


def _line_money_changed(existing, element):
    old = {line["LineItemID"]: line for line in existing.get("LineItems", [])}
    new = element.get("LineItems") or []
    if len(new) != len(old):
        return True
    for line in new:
        prev = old.get(line.get("LineItemID"))
        if prev is None:
            return True
        for field in ("Quantity", "UnitAmount", "LineAmount", "TaxType", "TaxAmount"):
            if line.get(field) is None:
                continue
            if field == "TaxType":
                differs = line[field] != prev.get(field)
            else:
                differs = rules.dec(line[field]) != rules.dec(prev.get(field))
            if differs:
                return True
    return False


def render(ctx, kind, record, with_lines=True):
    out = dict(record)
    out.pop("_deleted", None)
    if with_lines:
        out["LineItems"] = rules.render_lines(record.get("LineItems"), ctx.unitdp)
    else:
        out.pop("LineItems", None)
    return out


def in_date_range(record, field, start, end):
    day = parse_date(record.get(field))
    if day is None:
        return False
    return (start is None or day >= start) and (end is None or day <= end)
