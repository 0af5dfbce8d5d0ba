"""/Payments: create (batch PUT, single POST), list with where/paging, get, delete."""

import uuid
from datetime import UTC, datetime

from .. import rules
from ..xdates import date_fields
from . import documents as docs
from .base import envelope, items_from_body, json_response, not_found, run_batch, validation_error
from .query import compile_where, modified_since, order_records, paginate

PAYMENT_TYPES = {
    "ACCREC": "ACCRECPAYMENT",
    "ACCPAY": "ACCPAYPAYMENT",
    "ACCRECCREDIT": "ARCREDITPAYMENT",
    "ACCPAYCREDIT": "APCREDITPAYMENT",
}


def _target(org, element):
    inv = element.get("Invoice") or {}
    if element.get("InvoiceNumber") and not inv:
        inv = {"InvoiceNumber": element["InvoiceNumber"]}
    cn = element.get("CreditNote") or {}
    if element.get("CreditNoteNumber") and not cn:
        cn = {"CreditNoteNumber": element["CreditNoteNumber"]}
    if inv:
        kind, ref = docs.INVOICE, inv
    elif cn:
        kind, ref = docs.CREDIT_NOTE, cn
    elif element.get("Prepayment") or element.get("Overpayment"):
        return (
            None,
            None,
            ("Payments against prepayments and overpayments are not supported by this sandbox"),
        )
    else:
        return None, None, "You must specify an Invoice or CreditNote to apply the payment to"
    coll = org.coll(kind.coll)
    doc = (
        coll.get(ref.get(kind.id))
        if ref.get(kind.id)
        else next(
            (
                d
                for d in coll.values()
                if ref.get(kind.number)
                and d.get(kind.number) == ref[kind.number]
                and d["Status"] != "DELETED"
            ),
            None,
        )
    )
    if doc is None:
        return None, None, f"{kind.label} could not be found"
    return kind, doc, None


def _account(org, element):
    ref = element.get("Account") or {}
    if element.get("Code") and not ref:
        ref = {"Code": element["Code"]}
    acc = (
        org.coll("Accounts").get(ref.get("AccountID"))
        if ref.get("AccountID")
        else (org.account_by_code(ref.get("Code")) if ref.get("Code") else None)
    )
    if acc is None or acc.get("Status") != "ACTIVE":
        return None, "Account could not be found"
    if acc.get("Type") != "BANK" and not acc.get("EnablePaymentsToAccount"):
        return None, (
            f"Account type is invalid for making a payment to/from ({acc['Code']}); "
            "use a BANK account or one with payments enabled"
        )
    return acc, None


def save_payment(ctx, element):
    org = ctx.org
    errors = []
    kind, doc, err = _target(org, element)
    if err:
        errors.append(err)
    acc, err = _account(org, element)
    if err:
        errors.append(err)
    amount = element.get("Amount")
    if amount is None:
        errors.append("Payment amount must be specified")
    elif rules.dec(amount) <= 0:
        errors.append("Payment amount must be greater than zero")
    if errors:
        return None, errors
    amount = rules.q(rules.dec(amount))
    outstanding_key = "AmountDue" if kind is docs.INVOICE else "RemainingCredit"
    outstanding = rules.dec(doc.get(outstanding_key))
    if doc["Status"] != "AUTHORISED":
        return None, ["Payments can only be made against Authorised documents"]
    if amount > outstanding:
        return None, ["Payment amount exceeds the amount outstanding on this document"]
    bank_currency = acc.get("CurrencyCode") or org.info["BaseCurrency"]
    if bank_currency not in (doc.get("CurrencyCode"), org.info["BaseCurrency"]):
        return None, [
            (
                f"The bank account currency ({bank_currency}) must be the document's "
                f"currency ({doc.get('CurrencyCode')}) or the base currency"
            )
        ]
    today = datetime.fromtimestamp(ctx.now, tz=UTC).date().isoformat()
    try:
        day, _ = date_fields(element.get("Date") or today)
    except ValueError:
        return None, [f"Date '{element.get('Date')}' is not a valid date"]
    payment = {
        "PaymentID": str(uuid.uuid4()),
        "Date": day,
        "Amount": rules.num(amount),
        "BankAmount": rules.num(amount),
        "CurrencyRate": element.get("CurrencyRate") or doc.get("CurrencyRate") or 1.0,
        "Reference": element.get("Reference", ""),
        "IsReconciled": bool(element.get("IsReconciled", False)),
        "Status": "AUTHORISED",
        "PaymentType": PAYMENT_TYPES[doc["Type"]],
        "UpdatedDateUTC": ctx.stamp(),
        "HasAccount": True,
        "HasValidationErrors": False,
        "Account": {"AccountID": acc["AccountID"], "Code": acc["Code"], "Name": acc["Name"]},
    }
    link = {
        kind.id: doc[kind.id],
        "Type": doc["Type"],
        "Contact": doc["Contact"],
        "CurrencyCode": doc.get("CurrencyCode"),
    }
    if doc.get(kind.number):
        link[kind.number] = doc[kind.number]
    payment["Invoice" if kind is docs.INVOICE else "CreditNote"] = link
    org.coll("Payments")[payment["PaymentID"]] = payment
    _apply(ctx, kind, doc, payment, amount)
    return payment, []


def _apply(ctx, kind, doc, payment, amount):
    """Add (amount > 0) or reverse (amount < 0) a payment on its document."""
    if kind is docs.INVOICE:
        doc["AmountPaid"] = rules.num(rules.dec(doc["AmountPaid"]) + amount)
        doc["AmountDue"] = rules.num(rules.dec(doc["AmountDue"]) - amount)
        left = rules.dec(doc["AmountDue"])
    else:
        doc["RemainingCredit"] = rules.num(rules.dec(doc["RemainingCredit"]) - amount)
        left = rules.dec(doc["RemainingCredit"])
    if amount > 0:
        doc.setdefault("Payments", []).append(
            {
                "PaymentID": payment["PaymentID"],
                "Date": payment["Date"],
                "Amount": payment["Amount"],
                "Reference": payment["Reference"],
                "CurrencyRate": payment["CurrencyRate"],
                "HasAccount": True,
                "HasValidationErrors": False,
            }
        )
    else:
        doc["Payments"] = [
            p for p in doc.get("Payments", []) if p["PaymentID"] != payment["PaymentID"]
        ]
    if left == 0 and amount > 0:
        doc["Status"] = "PAID"
        doc["FullyPaidOnDate"] = payment["Date"]
        docs.add_history(ctx, doc[kind.id], "Paid", f"Payment received of {payment['Amount']}")
    elif amount < 0 and doc["Status"] == "PAID":
        doc["Status"] = "AUTHORISED"
        doc.pop("FullyPaidOnDate", None)
    doc["UpdatedDateUTC"] = ctx.stamp()
    docs._emit(ctx, kind, doc, "UPDATE")


def put_payments(ctx):
    return run_batch(
        ctx,
        "Payments",
        items_from_body(ctx, "Payments"),
        save_payment,
        "PaymentID",
        lambda c, r: dict(r),
    )


def post_payment(ctx):
    items = items_from_body(ctx, "Payments")[:1]
    if not items:
        raise validation_error(["A payment must be specified"])
    record, errors = save_payment(ctx, items[0])
    if errors:
        raise validation_error(errors, items[0])
    return json_response(200, envelope(ctx, "Payments", [dict(record)]))


def delete_payment(ctx, payment_id):
    payment = ctx.org.coll("Payments").get(payment_id)
    if payment is None:
        raise not_found()
    body = ctx.body if isinstance(ctx.body, dict) else {}
    if body.get("Status") != "DELETED":
        raise validation_error(
            [("Payments can only be deleted (Status DELETED); they cannot be modified")],
            {"PaymentID": payment_id},
        )
    if payment["Status"] == "DELETED":
        raise validation_error(["This payment has already been deleted"], {"PaymentID": payment_id})
    if payment.get("BatchPaymentID"):
        raise validation_error(["Payments made via batch payments cannot be deleted this way"])
    kind = docs.INVOICE if "Invoice" in payment else docs.CREDIT_NOTE
    doc = ctx.org.coll(kind.coll)[
        payment["Invoice" if kind is docs.INVOICE else "CreditNote"][kind.id]
    ]
    payment["Status"] = "DELETED"
    payment["UpdatedDateUTC"] = ctx.stamp()
    _apply(ctx, kind, doc, payment, -rules.dec(payment["Amount"]))
    return json_response(200, envelope(ctx, "Payments", [dict(payment)]))


def get_payments(ctx):
    records = list(ctx.org.coll("Payments").values())
    records = modified_since(records, ctx.request.headers.get("If-Modified-Since"))
    if ctx.args.get("where"):
        pred = compile_where(ctx.args["where"])
        records = [r for r in records if pred(r)]
    records = order_records(records, ctx.args.get("order"), ("UpdatedDateUTC", "PaymentID"))
    records, pagination = paginate(records, ctx.args)
    return json_response(200, envelope(ctx, "Payments", [dict(r) for r in records], pagination))


def get_payment(ctx, payment_id):
    record = ctx.org.coll("Payments").get(payment_id)
    if record is None:
        raise not_found()
    return json_response(200, envelope(ctx, "Payments", [dict(record)]))


ROUTES = [
    ("/Payments", ["GET"], get_payments),
    ("/Payments", ["PUT"], put_payments),
    ("/Payments", ["POST"], post_payment),
    ("/Payments/<payment_id>", ["GET"], get_payment),
    ("/Payments/<payment_id>", ["POST"], delete_payment),
]


def pay_from_control(server, org, body):
    """Record a payment as if made in Xero (control API and the HTML page)."""
    from .base import Ctx

    ctx = Ctx(server, None, org)
    element = {
        "Invoice": {"InvoiceID": body.get("InvoiceID")},
        "Account": {"Code": body.get("AccountCode") or "090"},
        "Amount": body.get("Amount"),
        "Date": body.get("Date"),
    }
    with server.state.lock:
        if element["Amount"] in (None, ""):
            inv = org.coll("Invoices").get(body.get("InvoiceID")) or {}
            element["Amount"] = inv.get("AmountDue")
        record, errors = save_payment(ctx, element)
    server.webhooks.enqueue(ctx.events)
    return record, errors
