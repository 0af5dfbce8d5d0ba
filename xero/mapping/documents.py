"""Documents (purchase orders, bills, invoices, credit notes) as Xero payloads.

The addon gathers a document's Odoo values into a plain dict (see ``document_payload``)
and these functions turn it into the JSON Xero expects, find the Xero record a lost
answer created, compare totals, and plan notes and attachments. No ORM here.
"""

from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlsplit

from ..batch import split_text
from ..dates import parse_date

SALES_TYPES = ("ACCREC", "ACCRECCREDIT")
CREDIT_TYPES = ("ACCPAYCREDIT", "ACCRECCREDIT")
ID_FIELD = {
    "invoices": "InvoiceID",
    "credit_notes": "CreditNoteID",
    "purchase_orders": "PurchaseOrderID",
}
NUMBER_FIELD = {
    "invoices": "InvoiceNumber",
    "credit_notes": "CreditNoteNumber",
    "purchase_orders": "PurchaseOrderNumber",
}
COLLECTION = {
    "invoices": "Invoices",
    "credit_notes": "CreditNotes",
    "purchase_orders": "PurchaseOrders",
}
# Our rule: Odoo changes reach Xero only while nobody approved the document there.
EDITABLE_STATUSES = ("DRAFT", "SUBMITTED")
DELETABLE_STATUSES = ("DRAFT", "SUBMITTED")
MAX_TRACKING = 2
MAX_ATTACHMENTS = 10
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024  # the Attachments page's limit (the lower one)
BAD_FILENAME_CHARS = set('<>:"/\\|?*\0')


class MappingError(ValueError):
    """The document cannot be expressed in Xero; ``problems`` says why, line by line."""

    def __init__(self, problems):
        self.problems = [p for p in problems if p]
        super().__init__("\n".join(self.problems))


def kind_of_type(xero_type):
    """'invoices', 'credit_notes' or 'purchase_orders' for a Xero Type (None: a PO)."""
    if not xero_type:
        return "purchase_orders"
    return "credit_notes" if xero_type in CREDIT_TYPES else "invoices"


def _dec(value):
    return Decimal(str(value or 0))


def _round(value, places):
    return float(_dec(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def needs_four_decimals(value):
    """True when a unit price would lose precision at Xero's default 2 decimals."""
    dec = _dec(round(float(value or 0), 6))
    return dec != dec.quantize(Decimal("0.01"))


def line_amount_types(lines):
    """Xero's LineAmountTypes for the lines' taxes (``price_include``: True, False, or
    None for a line without tax). One document has one mode in Xero."""
    modes = {line.get("price_include") for line in lines} - {None}
    if len(modes) > 1:
        raise MappingError(
            [
                "The document mixes taxes included in the price and taxes added to it; "
                "Xero needs one mode per document. Use one kind of tax on all lines."
            ]
        )
    return "Inclusive" if modes == {True} else "Exclusive"


def _line_amount(quantity, unit, rate=None):
    """Xero's LineAmount: quantity x unit price (less the discount rate) to the cent."""
    gross = _dec(quantity) * _dec(unit)
    if rate:
        gross -= gross * _dec(rate) / 100
    return gross.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def line_amounts(line, *, allow_discount, unitdp):
    """(Quantity, UnitAmount, DiscountRate or None, note) that make Xero's line amount
    equal Odoo's ``amount`` (the line subtotal, or its total when taxes are included).

    Xero rounds quantity x unit price to the cent, with unit prices at ``unitdp``
    decimals. The discounted price is tried first, then the amount over the quantity;
    when no unit price at ``unitdp`` decimals gives Odoo's amount, the line goes as one
    unit at the line amount (the note says the Odoo quantity and price)."""
    price = _dec(line.get("price_unit"))
    discount = _dec(line.get("discount"))
    quantity = _round(line.get("quantity") or 0, 4)
    amount = line.get("amount")
    if discount and allow_discount:
        rate = _round(discount, 2)
        unit = _round(price, unitdp)
        if amount is None or _line_amount(quantity, unit, rate) == _dec(amount).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        ):
            return quantity, unit, rate, None
    net = price * (1 - discount / 100) if discount else price
    if amount is None:
        return quantity, _round(net, unitdp), None, None
    target = _dec(amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    candidates = [_round(net, unitdp)]
    if quantity:
        candidates.append(_round(target / _dec(quantity), unitdp))
    for unit in candidates:
        if _line_amount(quantity, unit) == target:
            return quantity, unit, None, None
    note = f"{_dec(quantity).normalize():f} x {price.normalize():f}"
    if discount:
        note += f" less {discount.normalize():f}%"
    return 1.0, float(target), None, note


def line_item(line, *, allow_discount, unitdp):
    """One Xero LineItem from an Odoo line's values.

    ``line``: description, quantity, price_unit, discount (percent), amount (Odoo's line
    amount, see ``line_amounts``), item_code, account_code, tax_type, tracking
    [(category_id, option_id, category name, option name)], xero_line_id.
    Xero allows discounts on sales invoices only: elsewhere the net price is sent.
    """
    quantity, unit, rate, note = line_amounts(line, allow_discount=allow_discount, unitdp=unitdp)
    description = (line.get("description") or "").strip() or line.get("fallback") or "-"
    if note:
        description = f"{description} ({note})"
    item = {
        "LineItemID": line.get("xero_line_id") or None,
        "Description": description,
        "Quantity": quantity,
        "UnitAmount": unit,
        "DiscountRate": rate,
        "ItemCode": line.get("item_code") or None,
        "AccountCode": line.get("account_code") or None,
        "TaxType": line.get("tax_type") or None,
    }
    tracking = line.get("tracking") or []
    if tracking:
        item["Tracking"] = [_tracking(*pair) for pair in tracking]
    return {k: v for k, v in item.items() if v is not None}


def _tracking(category_id, option_id, category=None, option=None):
    """One line Tracking entry: ids, and names, which purchase orders require."""
    out = {"TrackingCategoryID": category_id, "TrackingOptionID": option_id}
    if category and option:
        out.update(Name=category, Option=option)
    return out


def rounding_line(difference, *, account_code, tax_type):
    """A line carrying the cents Xero's per-line tax rounding leaves out."""
    return {
        "Description": "Rounding",
        "Quantity": 1.0,
        "UnitAmount": float(difference),
        "AccountCode": account_code,
        "TaxType": tax_type,
    }


def expected_totals(items, lat, rates):
    """(total, tax) Xero computes for LineItems ``items``: tax per line rounded to the
    cent, then summed. ``rates``: the tax percent of each line, in order."""
    cent = Decimal("0.01")
    total, tax = Decimal(0), Decimal(0)
    for item, rate in zip(items, rates, strict=True):
        amount = _line_amount(item["Quantity"], item["UnitAmount"], item.get("DiscountRate"))
        rate = _dec(rate)
        if lat == "Inclusive":
            line_tax = (amount * rate / (100 + rate)).quantize(cent, ROUND_HALF_UP)
            total += amount
        else:
            line_tax = (amount * rate / 100).quantize(cent, ROUND_HALF_UP)
            total += amount + line_tax
        tax += line_tax
    return total, tax


def document_payload(doc):
    """The Xero JSON for a document and the ``unitdp`` to send it with (4 or None).

    ``doc``: kind, type (ACCPAY, ACCREC, ACCPAYCREDIT, ACCRECCREDIT; None for a PO),
    xero_id, contact_id, date, due_date, delivery_date, number, reference, url, currency,
    currency_rate (document currency per unit of the base currency; only for foreign
    currencies, else Xero uses its own day rate), status, lines (see ``line_item``).
    """
    kind = doc["kind"]
    xero_type = doc.get("type")
    lines = doc.get("lines") or []
    if not lines:
        raise MappingError(["The document has no lines to send."])
    lat = line_amount_types(lines)
    allow_discount = xero_type == "ACCREC"
    # PurchaseOrders take no unitdp (Xero's API lists it on invoices and credit notes
    # only): 2 decimals there.
    dp = 2 if kind == "purchase_orders" else 4
    items = [line_item(x, allow_discount=allow_discount, unitdp=dp) for x in lines]
    four = any(needs_four_decimals(item["UnitAmount"]) for item in items)
    rounding = doc.get("rounding") or {}
    if rounding.get("account_code") and doc.get("total") is not None:
        rates = [x.get("tax_rate") or 0 for x in lines]
        total, _tax = expected_totals(items, lat, rates)
        difference = _dec(doc["total"]).quantize(Decimal("0.01"), ROUND_HALF_UP) - total
        if difference and abs(difference) <= _dec(rounding.get("tolerance")):
            items.append(
                rounding_line(
                    difference,
                    account_code=rounding["account_code"],
                    tax_type=rounding.get("tax_type") or "NONE",
                )
            )
    body = {
        ID_FIELD[kind]: doc.get("xero_id") or None,
        "Contact": {"ContactID": doc["contact_id"]},
        "Date": doc.get("date"),
        "CurrencyCode": doc.get("currency"),
        "CurrencyRate": _round(doc["currency_rate"], 6) if doc.get("currency_rate") else None,
        "LineAmountTypes": lat,
        "Status": doc.get("status"),
        NUMBER_FIELD[kind]: doc.get("number") or None,
        "LineItems": items,
    }
    if kind == "invoices":
        body.update(Type=xero_type, DueDate=doc.get("due_date"), Url=doc.get("url"))
    if kind == "credit_notes":
        body["Type"] = xero_type
    if xero_type in SALES_TYPES or kind == "purchase_orders":
        body["Reference"] = (doc.get("reference") or "")[:255] or None
    if kind == "purchase_orders":
        body["DeliveryDate"] = doc.get("delivery_date")
    return {k: v for k, v in body.items() if v is not None}, (4 if four else None)


def identity(payload, kind):
    """What identifies a document we created, for finding it after a lost answer."""
    xero_type = payload.get("Type")
    number = payload.get(NUMBER_FIELD[kind])
    if kind == "purchase_orders":
        return {"PurchaseOrderNumber": number}
    if xero_type == "ACCPAY" and payload.get("Url"):
        return {"Type": xero_type, "Url": url_key(payload["Url"])}
    ident = {"Type": xero_type, NUMBER_FIELD[kind]: number}
    if xero_type not in SALES_TYPES:
        # Supplier numbers are not unique in Xero: the contact and date narrow it down.
        ident.update(ContactID=payload["Contact"]["ContactID"], Date=str(payload.get("Date")))
    return ident


def url_key(url):
    """What names our record in a document's Url (``<model>/<id>``): the same whatever
    Odoo's base URL (host, port, a path behind a proxy) was when it was sent."""
    segments = [s for s in urlsplit(str(url or "")).path.split("/") if s]
    return "/".join(segments[-2:])


def _value(record, field):
    if field == "Url":
        return url_key(record.get("Url"))
    if field == "ContactID":
        return (record.get("Contact") or {}).get("ContactID")
    if field == "Date":
        day = parse_date(record.get("Date"))
        return str(day.date() if hasattr(day, "date") and callable(day.date) else day)
    return record.get(field)


LOOKUP_CHUNK = 20  # numbers or contacts per lookup query: keeps the URL short


def lookup_queries(kind, payloads):
    """Client query arguments listing every Xero document that a send of ``payloads``
    may have created, whatever its age (no time window): sales documents by our number,
    supplier documents by contact, purchase orders by their date."""
    number_field = NUMBER_FIELD[kind]
    if kind == "purchase_orders":
        days = sorted({str(p.get("Date")) for p in payloads if p.get("Date")})
        return [{"date_from": day, "date_to": day} for day in days]
    numbers, contacts = set(), set()
    for payload in payloads:
        if kind == "invoices" and payload.get("Type") in SALES_TYPES and payload.get(number_field):
            numbers.add(payload[number_field])
        elif (payload.get("Contact") or {}).get("ContactID"):
            contacts.add(payload["Contact"]["ContactID"])
    numbers, contacts = sorted(numbers), sorted(contacts)
    queries = [
        {"invoice_numbers": numbers[i : i + LOOKUP_CHUNK]}
        for i in range(0, len(numbers), LOOKUP_CHUNK)
    ]
    for i in range(0, len(contacts), LOOKUP_CHUNK):
        chunk = contacts[i : i + LOOKUP_CHUNK]
        if kind == "invoices":
            queries.append({"contact_ids": chunk})
        else:
            queries.append({"where": " OR ".join(f'Contact.ContactID==guid("{c}")' for c in chunk)})
    return queries


def find_match(records, ident, kind, exclude_ids=()):
    """The record among ``records`` (Xero JSON) that ``ident`` describes, if any."""
    id_field = ID_FIELD[kind]
    for record in records:
        if record.get(id_field) in exclude_ids:
            continue
        if record.get("Status") in ("DELETED", "VOIDED"):
            continue
        if all(_value(record, k) == v for k, v in ident.items()):
            return record
    return None


def totals_difference(odoo_total, odoo_tax, xero_total, xero_tax):
    """None when Xero's figures equal Odoo's to the cent, else both sets of figures."""
    pairs = {
        "total": (_dec(odoo_total), _dec(xero_total)),
        "tax": (_dec(odoo_tax), _dec(xero_tax)),
    }
    cent = Decimal("0.01")
    diff = {
        name: (o.quantize(cent, ROUND_HALF_UP), x.quantize(cent, ROUND_HALF_UP))
        for name, (o, x) in pairs.items()
    }
    if all(o == x for o, x in diff.values()):
        return None
    return diff


def editable(status):
    return status in EDITABLE_STATUSES


def attachment_plan(attachments, already=0, max_bytes=MAX_ATTACHMENT_BYTES):
    """Which attachments to upload: ``attachments`` = [{id, name, size}] in upload
    order, ``already`` = how many the Xero document has. Returns (send, skipped) where
    skipped = [(attachment, reason)]."""
    send, skipped = [], []
    room = MAX_ATTACHMENTS - already
    for att in attachments:
        name = att.get("name") or ""
        bad = sorted(BAD_FILENAME_CHARS.intersection(name))
        if not name.strip() or bad:
            skipped.append((att, "its file name is not accepted by Xero"))
        elif (att.get("size") or 0) > max_bytes:
            skipped.append((att, f"it is larger than {max_bytes // (1024 * 1024) or 1} MB"))
        elif len(send) >= room:
            skipped.append((att, f"Xero keeps at most {MAX_ATTACHMENTS} files per document"))
        else:
            send.append(att)
    return send, skipped


def history_records(notes):
    """Xero History records for notes ``[text, ...]``: each split at 250 characters."""
    return [{"Details": part} for text in notes for part in split_text(text) if part]


def web_url(kind, xero_type, xero_id, sandbox_base=None):
    """The page of the document in Xero (or in the sandbox it came from)."""
    if not xero_id:
        return False
    if sandbox_base:
        return f"{sandbox_base.rstrip('/')}/#{xero_id}"
    if kind == "purchase_orders":
        return f"https://go.xero.com/Accounts/Payable/PurchaseOrders/View/{xero_id}"
    area = "AccountsReceivable" if xero_type in SALES_TYPES else "AccountsPayable"
    if kind == "credit_notes":
        return f"https://go.xero.com/{area}/ViewCreditNote.aspx?creditNoteID={xero_id}"
    return f"https://go.xero.com/{area}/View.aspx?InvoiceID={xero_id}"
