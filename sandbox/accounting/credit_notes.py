"""/CreditNotes: list, get, PUT create, POST update-or-create, POST by id, Allocations."""

import uuid
from datetime import UTC, datetime

from .. import rules
from ..xdates import date_fields
from . import documents as docs
from .base import envelope, items_from_body, json_response, not_found, run_batch, validation_error
from .invoices import list_documents, update_one
from .query import paginate

KIND = docs.CREDIT_NOTE


def _render(ctx, record):
    return docs.render(ctx, KIND, record)


def get_credit_notes(ctx):
    records, pagination = paginate(list_documents(ctx, KIND), ctx.args)
    out = [_render(ctx, r) for r in records]
    return json_response(200, envelope(ctx, "CreditNotes", out, pagination))


def get_credit_note(ctx, credit_note_id):
    record = ctx.org.coll("CreditNotes").get(credit_note_id) or next(
        (
            r
            for r in ctx.org.coll("CreditNotes").values()
            if r.get("CreditNoteNumber") == credit_note_id
        ),
        None,
    )
    if record is None:
        raise not_found()
    return json_response(200, envelope(ctx, "CreditNotes", [_render(ctx, record)]))


def put_credit_notes(ctx):
    return run_batch(
        ctx,
        "CreditNotes",
        items_from_body(ctx, "CreditNotes"),
        lambda c, e: docs.save(c, KIND, e, "create"),
        KIND.id,
        _render,
    )


def post_credit_notes(ctx):
    return run_batch(
        ctx,
        "CreditNotes",
        items_from_body(ctx, "CreditNotes"),
        lambda c, e: docs.save(c, KIND, e, "upsert"),
        KIND.id,
        _render,
    )


def post_credit_note(ctx, credit_note_id):
    return update_one(ctx, KIND, "CreditNotes", credit_note_id, _render)


MATCHING_INVOICE = {"ACCPAYCREDIT": "ACCPAY", "ACCRECCREDIT": "ACCREC"}


def put_allocations(ctx, credit_note_id):
    note = ctx.org.coll("CreditNotes").get(credit_note_id)
    if note is None:
        raise not_found()
    items = items_from_body(ctx, "Allocations")
    out = []
    for element in items:
        errors = []
        inv_ref = element.get("Invoice") or {}
        invoice = ctx.org.coll("Invoices").get(inv_ref.get("InvoiceID") or "")
        amount = rules.dec(element.get("Amount"))
        if note["Status"] != "AUTHORISED":
            errors.append("Credit note must be AUTHORISED before it can be allocated")
        if invoice is None:
            errors.append("Invoice could not be found")
        elif invoice["Status"] != "AUTHORISED":
            errors.append("Invoice must be AUTHORISED to allocate a credit note to it")
        elif invoice["Type"] != MATCHING_INVOICE[note["Type"]]:
            errors.append("The credit note and invoice types do not match")
        elif invoice.get("CurrencyCode") != note.get("CurrencyCode"):
            errors.append("The credit note and invoice must be in the same currency")
        if amount <= 0:
            errors.append("Allocation amount must be greater than zero")
        elif amount > rules.dec(note.get("RemainingCredit")):
            errors.append("Allocation amount exceeds the remaining credit")
        elif invoice is not None and amount > rules.dec(invoice.get("AmountDue")):
            errors.append("Allocation amount exceeds the amount due on the invoice")
        if errors:
            raise validation_error(errors, element)
        today = datetime.fromtimestamp(ctx.now, tz=UTC).date().isoformat()
        day, _ = date_fields(element.get("Date") or today)
        amount = rules.q(amount)
        allocation = {
            "AllocationID": str(uuid.uuid4()),
            "Amount": rules.num(amount),
            "Date": day,
            "IsDeleted": False,
            "Invoice": {
                "InvoiceID": invoice["InvoiceID"],
                "InvoiceNumber": invoice.get("InvoiceNumber", ""),
            },
            "CreditNote": {"CreditNoteID": note["CreditNoteID"]},
        }
        note.setdefault("Allocations", []).append(allocation)
        note["AppliedAmount"] = rules.num(rules.dec(note.get("AppliedAmount")) + amount)
        note["RemainingCredit"] = rules.num(rules.dec(note["RemainingCredit"]) - amount)
        if rules.dec(note["RemainingCredit"]) == 0:
            note["Status"] = "PAID"
        invoice["AmountCredited"] = rules.num(rules.dec(invoice.get("AmountCredited")) + amount)
        invoice["AmountDue"] = rules.num(rules.dec(invoice["AmountDue"]) - amount)
        invoice.setdefault("CreditNotes", []).append(
            {
                "CreditNoteID": note["CreditNoteID"],
                "CreditNoteNumber": note.get("CreditNoteNumber", ""),
                "AppliedAmount": rules.num(amount),
                "Total": note["Total"],
            }
        )
        if rules.dec(invoice["AmountDue"]) == 0:
            invoice["Status"] = "PAID"
            invoice["FullyPaidOnDate"] = day
        note["UpdatedDateUTC"] = invoice["UpdatedDateUTC"] = ctx.stamp()
        docs.add_history(
            ctx, note["CreditNoteID"], "Allocated", f"Credit allocated of {allocation['Amount']}"
        )
        docs._emit(ctx, KIND, note, "UPDATE")
        docs._emit(ctx, docs.INVOICE, invoice, "UPDATE")
        out.append(allocation)
    return json_response(200, envelope(ctx, "Allocations", out))


def delete_allocation(ctx, credit_note_id, allocation_id):
    note = ctx.org.coll("CreditNotes").get(credit_note_id)
    if note is None:
        raise not_found()
    allocation = next(
        (
            a
            for a in note.get("Allocations", [])
            if a["AllocationID"] == allocation_id and not a.get("IsDeleted")
        ),
        None,
    )
    if allocation is None:
        raise not_found()
    amount = rules.dec(allocation["Amount"])
    invoice = ctx.org.coll("Invoices")[allocation["Invoice"]["InvoiceID"]]
    allocation["IsDeleted"] = True
    note["AppliedAmount"] = rules.num(rules.dec(note["AppliedAmount"]) - amount)
    note["RemainingCredit"] = rules.num(rules.dec(note["RemainingCredit"]) + amount)
    if note["Status"] == "PAID":
        note["Status"] = "AUTHORISED"
    invoice["AmountCredited"] = rules.num(rules.dec(invoice["AmountCredited"]) - amount)
    invoice["AmountDue"] = rules.num(rules.dec(invoice["AmountDue"]) + amount)
    invoice["CreditNotes"] = [
        c for c in invoice.get("CreditNotes", []) if c["CreditNoteID"] != credit_note_id
    ]
    if invoice["Status"] == "PAID":
        invoice["Status"] = "AUTHORISED"
        invoice.pop("FullyPaidOnDate", None)
    note["UpdatedDateUTC"] = invoice["UpdatedDateUTC"] = ctx.stamp()
    docs._emit(ctx, KIND, note, "UPDATE")
    # the spec answers this one with the bare Allocation, not the usual envelope
    return json_response(200, dict(allocation))


ROUTES = [
    ("/CreditNotes", ["GET"], get_credit_notes),
    ("/CreditNotes", ["PUT"], put_credit_notes),
    ("/CreditNotes", ["POST"], post_credit_notes),
    ("/CreditNotes/<credit_note_id>", ["GET"], get_credit_note),
    ("/CreditNotes/<credit_note_id>", ["POST"], post_credit_note),
    ("/CreditNotes/<credit_note_id>/Allocations", ["PUT"], put_allocations),
    ("/CreditNotes/<credit_note_id>/Allocations/<allocation_id>", ["DELETE"], delete_allocation),
]
