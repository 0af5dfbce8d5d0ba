"""Attachments on Invoices, PurchaseOrders and CreditNotes: raw-bytes upload by file name,
list, download; at most 10 per document, size limit configurable (10 MB by default)."""

import mimetypes
import uuid

from werkzeug.wrappers import Response

from .base import envelope, json_response, not_found, validation_error

DOCS = {"Invoices": "InvoiceID", "PurchaseOrders": "PurchaseOrderID", "CreditNotes": "CreditNoteID"}
MAX_PER_DOCUMENT = 10
FORBIDDEN = set('<>:"/\\|?*\0')
ENDPOINT = "<any(Invoices,PurchaseOrders,CreditNotes):endpoint>"


def _doc(ctx, endpoint, doc_id):
    doc = ctx.org.coll(endpoint).get(doc_id)
    if doc is None:
        raise not_found()
    return doc


def _meta(endpoint, doc_id, attachment):
    return dict(attachment["meta"])


def list_attachments(ctx, endpoint, doc_id):
    _doc(ctx, endpoint, doc_id)
    files = ctx.org.attachments.get(doc_id, {})
    rows = [_meta(endpoint, doc_id, a) for a in files.values()]
    return json_response(200, envelope(ctx, "Attachments", rows))


def get_attachment(ctx, endpoint, doc_id, name):
    _doc(ctx, endpoint, doc_id)
    files = ctx.org.attachments.get(doc_id, {})
    found = files.get(name) or next(
        (a for a in files.values() if a["meta"]["AttachmentID"] == name), None
    )
    if found is None:
        raise not_found()
    # the spec declares application/octet-stream for downloads
    return Response(found["data"], mimetype="application/octet-stream")


def upload(ctx, endpoint, doc_id, name):
    doc = _doc(ctx, endpoint, doc_id)
    element = {"FileName": name}
    if not name.strip() or any(ch in FORBIDDEN for ch in name):
        raise validation_error(
            [
                (
                    "The file name contains characters that are not allowed "
                    '(< > : " / \\ | ? * or NUL)'
                )
            ],
            element,
        )
    data = ctx.request.get_data(cache=True)
    if not data:
        raise validation_error(["The attachment content is empty"], element)
    limit = ctx.server.attachment_limit
    if len(data) > limit:
        raise validation_error(
            [
                (
                    f"The file is too large. The maximum attachment size is "
                    f"{limit // (1024 * 1024) or limit} "
                    f"{'MB' if limit >= 1024 * 1024 else 'bytes'}"
                )
            ],
            element,
        )
    files = ctx.org.attachments.setdefault(doc_id, {})
    if name not in files and len(files) >= MAX_PER_DOCUMENT:
        raise validation_error(
            [(f"A document can have at most {MAX_PER_DOCUMENT} attachments")], element
        )
    mime = ctx.request.mimetype
    if not mime or mime == "application/octet-stream":
        mime = mimetypes.guess_type(name)[0] or "application/octet-stream"
    previous = files.get(name)
    attachment_id = previous["meta"]["AttachmentID"] if previous else str(uuid.uuid4())
    meta = {
        "AttachmentID": attachment_id,
        "FileName": name,
        "Url": f"https://api.xero.com/api.xro/2.0/{endpoint}/{doc_id}/Attachments/{name}",
        "MimeType": mime,
        "ContentLength": len(data),
    }
    include_online = ctx.args.get("IncludeOnline", "").lower() == "true"
    if include_online and doc.get("Type") in ("ACCREC", "ACCRECCREDIT"):
        meta["IncludeOnline"] = True
    files[name] = {"meta": meta, "data": data}
    doc["HasAttachments"] = True
    return json_response(200, envelope(ctx, "Attachments", [dict(meta)]))


ROUTES = [
    (f"/{ENDPOINT}/<doc_id>/Attachments", ["GET"], list_attachments),
    (f"/{ENDPOINT}/<doc_id>/Attachments/<path:name>", ["GET"], get_attachment),
    (f"/{ENDPOINT}/<doc_id>/Attachments/<path:name>", ["PUT", "POST"], upload),
]
