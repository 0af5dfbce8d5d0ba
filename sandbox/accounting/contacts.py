"""/Contacts: list with filters, get one, create (PUT), update-or-create (POST)."""

import uuid

from .. import rules
from .base import envelope, items_from_body, json_response, not_found, run_batch
from .query import compile_where, csv_param, modified_since, order_records, paginate

WRITABLE = (
    "ContactNumber",
    "AccountNumber",
    "Name",
    "FirstName",
    "LastName",
    "CompanyNumber",
    "EmailAddress",
    "ContactPersons",
    "BankAccountDetails",
    "TaxNumber",
    "AccountsReceivableTaxType",
    "AccountsPayableTaxType",
    "Addresses",
    "Phones",
    "SalesDefaultAccountCode",
    "PurchasesDefaultAccountCode",
    "DefaultCurrency",
    "PaymentTerms",
    "ContactStatus",
    "SalesTrackingCategories",
    "XeroNetworkKey",
    "PurchasesTrackingCategories",
    "SalesDefaultLineAmountType",
    "PurchasesDefaultLineAmountType",
    "TaxNumberType",
    "ContactGroups",
)


def _render(ctx, record):
    return dict(record)


def _number_holder(contacts, number, exclude_id=None):
    """The contact (archived ones included) holding ContactNumber ``number``."""
    if not number:
        return None
    return next(
        (
            c
            for c in contacts.values()
            if c.get("ContactNumber") == number and c["ContactID"] != exclude_id
        ),
        None,
    )


def save_contact(ctx, element, create=False):
    org = ctx.org
    contacts = org.coll("Contacts")
    existing = None
    if element.get("ContactID"):
        existing = contacts.get(element["ContactID"])
        if existing is None:
            return None, [f"The contact with ContactID {element['ContactID']} could not be found"]
    elif element.get("ContactNumber"):
        existing = next(
            (c for c in contacts.values() if c.get("ContactNumber") == element["ContactNumber"]),
            None,
        )
    errors = []
    if create and existing is not None and not element.get("ContactID"):
        existing = None  # PUT creates: the number is refused below, not an update
    holder = _number_holder(
        contacts, element.get("ContactNumber"), existing and existing["ContactID"]
    )
    if holder is not None:
        errors.append(
            f"The contact number {element['ContactNumber']} is already assigned to another "
            "contact. Contact numbers must be unique across all contacts."
        )
    name = element.get("Name", existing.get("Name") if existing else None)
    if not (name or "").strip():
        errors.append("The contact name must be specified")
    elif len(name) > 255:
        errors.append("The contact name must be 255 characters or fewer")
    elif rules.contact_name_taken(org, name, existing and existing["ContactID"]) and (
        existing is None or "Name" in element
    ):
        errors.append(
            f"The contact name {name} is already assigned to another contact. "
            "The Contact Name already exists; contact names must be unique across "
            "all active contacts."
        )
    if element.get("DefaultCurrency"):
        err = rules.check_currency(org, element["DefaultCurrency"])
        if err:
            errors.append(err)
    status = element.get("ContactStatus")
    if status and status not in ("ACTIVE", "ARCHIVED", "GDPRREQUEST"):
        errors.append(f"ContactStatus '{status}' is not valid")
    if errors:
        return None, errors
    record = (
        dict(existing)
        if existing
        else {
            "ContactID": str(uuid.uuid4()),
            "ContactStatus": "ACTIVE",
            "Addresses": [],
            "Phones": [],
            "ContactPersons": [],
            "ContactGroups": [],
            "IsSupplier": False,
            "IsCustomer": False,
            "HasAttachments": False,
        }
    )
    for field in WRITABLE:
        if field in element:
            record[field] = element[field]
    record["UpdatedDateUTC"] = ctx.stamp()
    contacts[record["ContactID"]] = record
    ctx.emit("CONTACT", "UPDATE" if existing else "CREATE", record["ContactID"], "Contacts")
    return record, []


def get_contacts(ctx):
    args = ctx.args
    records = list(ctx.org.coll("Contacts").values())
    records = modified_since(records, ctx.request.headers.get("If-Modified-Since"))
    ids = csv_param(args, "IDs")
    if ids:
        wanted = {i.lower() for i in ids}
        records = [r for r in records if r["ContactID"].lower() in wanted]
    if args.get("includeArchived", "").lower() != "true" and not ids:
        records = [r for r in records if r.get("ContactStatus") != "ARCHIVED"]
    term = (args.get("searchTerm") or "").lower()
    if term:
        fields = ("Name", "FirstName", "LastName", "ContactNumber", "CompanyNumber", "EmailAddress")
        records = [r for r in records if any(term in (r.get(f) or "").lower() for f in fields)]
    if args.get("where"):
        pred = compile_where(args["where"])
        records = [r for r in records if pred(r)]
    records = order_records(records, args.get("order"), ("Name",))
    records, pagination = paginate(records, args)
    summary = args.get("summaryOnly", "").lower() == "true"
    out = []
    for r in records:
        row = dict(r)
        if summary:
            for heavy in ("Addresses", "Phones", "ContactPersons", "ContactGroups"):
                row.pop(heavy, None)
        out.append(row)
    return json_response(200, envelope(ctx, "Contacts", out, pagination))


def get_contact(ctx, contact_id):
    record = ctx.org.coll("Contacts").get(contact_id)
    if record is None:
        record = next(
            (c for c in ctx.org.coll("Contacts").values() if c.get("ContactNumber") == contact_id),
            None,
        )
    if record is None:
        raise not_found()
    return json_response(200, envelope(ctx, "Contacts", [dict(record)]))


def put_contacts(ctx):
    items = items_from_body(ctx, "Contacts")
    return run_batch(
        ctx, "Contacts", items, lambda c, e: save_contact(c, e, create=True), "ContactID", _render
    )


def post_contacts(ctx):
    items = items_from_body(ctx, "Contacts")
    return run_batch(ctx, "Contacts", items, save_contact, "ContactID", _render)


def post_contact(ctx, contact_id):
    if contact_id not in ctx.org.coll("Contacts"):
        raise not_found()
    items = items_from_body(ctx, "Contacts")[:1]
    for item in items:
        item["ContactID"] = contact_id
    return run_batch(ctx, "Contacts", items, save_contact, "ContactID", _render)


ROUTES = [
    ("/Contacts", ["GET"], get_contacts),
    ("/Contacts", ["PUT"], put_contacts),
    ("/Contacts", ["POST"], post_contacts),
    ("/Contacts/<contact_id>", ["GET"], get_contact),
    ("/Contacts/<contact_id>", ["POST"], post_contact),
]
