"""Organisation and master data: Accounts, TaxRates, TrackingCategories, Currencies, Items."""

import uuid

from .. import rules
from .base import envelope, items_from_body, json_response, not_found, run_batch, validation_error
from .query import compile_where, modified_since, order_records


def _filtered(ctx, records, modified=True, default_order=None):
    if modified:
        records = modified_since(records, ctx.request.headers.get("If-Modified-Since"))
    if ctx.args.get("where"):
        pred = compile_where(ctx.args["where"])
        records = [r for r in records if pred(r)]
    return order_records(records, ctx.args.get("order"), default_order or ())


def get_organisation(ctx):
    return json_response(200, envelope(ctx, "Organisations", [dict(ctx.org.info)]))


def get_accounts(ctx):
    records = _filtered(ctx, list(ctx.org.coll("Accounts").values()), default_order=("Code",))
    return json_response(200, envelope(ctx, "Accounts", [dict(r) for r in records]))


def get_account(ctx, account_id):
    record = ctx.org.coll("Accounts").get(account_id)
    if record is None:
        raise not_found()
    return json_response(200, envelope(ctx, "Accounts", [dict(record)]))


def put_account(ctx):
    element = ctx.body if isinstance(ctx.body, dict) else {}
    errors = []
    code = element.get("Code")
    if not code:
        errors.append("Please enter a code for this account")
    elif ctx.org.account_by_code(code):
        errors.append("Please enter a unique Code.")
    if not element.get("Name"):
        errors.append("Please enter a name for this account")
    if not element.get("Type"):
        errors.append("Please select an account type")
    if element.get("TaxType") and rules.tax_rate(ctx.org, element["TaxType"]) is None:
        errors.append(f"The TaxType code '{element['TaxType']}' does not exist")
    if errors:
        raise validation_error(errors, element)
    from ..seed_gen import ACCOUNT_CLASS

    record = {
        "AccountID": str(uuid.uuid4()),
        "Status": "ACTIVE",
        "HasAttachments": False,
        "EnablePaymentsToAccount": False,
        "ShowInExpenseClaims": False,
        "Class": ACCOUNT_CLASS.get(element["Type"], "EXPENSE"),
        "AddToWatchlist": False,
    }
    for key in (
        "Code",
        "Name",
        "Type",
        "Description",
        "TaxType",
        "BankAccountNumber",
        "BankAccountType",
        "CurrencyCode",
        "EnablePaymentsToAccount",
        "ShowInExpenseClaims",
    ):
        if key in element:
            record[key] = element[key]
    if record["Type"] == "BANK":
        record.setdefault("BankAccountType", "BANK")
        record.setdefault("CurrencyCode", ctx.org.info["BaseCurrency"])
    record["UpdatedDateUTC"] = ctx.stamp()
    ctx.org.coll("Accounts")[record["AccountID"]] = record
    return json_response(200, envelope(ctx, "Accounts", [dict(record)]))


def get_tax_rates(ctx):
    records = list(ctx.org.coll("TaxRates").values())
    tax_type = ctx.args.get("TaxType")
    if tax_type:
        records = [r for r in records if r["TaxType"] == tax_type]
    records = _filtered(ctx, records, modified=False, default_order=("Name",))
    return json_response(200, envelope(ctx, "TaxRates", [dict(r) for r in records]))


def get_currencies(ctx):
    records = _filtered(
        ctx, list(ctx.org.coll("Currencies").values()), modified=False, default_order=("Code",)
    )
    return json_response(200, envelope(ctx, "Currencies", [dict(r) for r in records]))


def put_currency(ctx):
    element = ctx.body if isinstance(ctx.body, dict) else {}
    code = element.get("Code")
    if not code:
        raise validation_error(["Currency Code must be specified"], element)
    record = {"Code": code, "Description": element.get("Description") or code}
    ctx.org.coll("Currencies")[code] = record
    return json_response(200, envelope(ctx, "Currencies", [record]))


def _render_item(ctx, record):
    row = dict(record)
    if ctx.unitdp == 2:
        for key in ("SalesDetails", "PurchaseDetails"):
            if row.get(key) and row[key].get("UnitPrice") is not None:
                row[key] = dict(
                    row[key], UnitPrice=rules.num(rules.q(rules.dec(row[key]["UnitPrice"]), 2))
                )
    return row


def save_item(ctx, element):
    items = ctx.org.coll("Items")
    existing = (
        items.get(element.get("ItemID"))
        if element.get("ItemID")
        else next((i for i in items.values() if i["Code"] == element.get("Code")), None)
    )
    errors = []
    code = element.get("Code", existing and existing["Code"])
    if not code:
        errors.append("Item code must be specified")
    elif len(code) > 30:
        errors.append("Item code must be 30 characters or fewer")
    elif any(i["Code"] == code and i is not existing for i in items.values()):
        errors.append(f"Item code '{code}' already exists")
    if element.get("Name") and len(element["Name"]) > 50:
        errors.append("Item name must be 50 characters or fewer")
    for key in ("SalesDetails", "PurchaseDetails"):
        details = element.get(key) or {}
        if details.get("AccountCode"):
            acc = ctx.org.account_by_code(details["AccountCode"])
            if acc is None or acc.get("Status") != "ACTIVE":
                errors.append(f"Account code '{details['AccountCode']}' is not a valid code")
        if details.get("TaxType") and rules.tax_rate(ctx.org, details["TaxType"]) is None:
            errors.append(f"The TaxType code '{details['TaxType']}' does not exist")
    if errors:
        return None, errors
    record = (
        dict(existing)
        if existing
        else {
            "ItemID": str(uuid.uuid4()),
            "IsSold": True,
            "IsPurchased": True,
            "IsTrackedAsInventory": False,
        }
    )
    for key in (
        "Code",
        "Name",
        "Description",
        "PurchaseDescription",
        "IsSold",
        "IsPurchased",
        "SalesDetails",
        "PurchaseDetails",
        "InventoryAssetAccountCode",
    ):
        if key in element:
            record[key] = element[key]
    record["IsTrackedAsInventory"] = bool(
        record.get("InventoryAssetAccountCode")
        and (record.get("PurchaseDetails") or {}).get("COGSAccountCode")
    )
    record["UpdatedDateUTC"] = ctx.stamp()
    items[record["ItemID"]] = record
    return record, []


def get_items(ctx):
    records = _filtered(ctx, list(ctx.org.coll("Items").values()), default_order=("Code",))
    return json_response(200, envelope(ctx, "Items", [_render_item(ctx, r) for r in records]))


def get_item(ctx, item_id):
    record = ctx.org.coll("Items").get(item_id) or next(
        (i for i in ctx.org.coll("Items").values() if i["Code"] == item_id), None
    )
    if record is None:
        raise not_found()
    return json_response(200, envelope(ctx, "Items", [_render_item(ctx, record)]))


def post_item(ctx, item_id):
    if item_id not in ctx.org.coll("Items"):
        raise not_found()
    items = items_from_body(ctx, "Items")[:1]
    for item in items:
        item["ItemID"] = item_id
    return run_batch(ctx, "Items", items, save_item, "ItemID", _render_item)


def post_account(ctx, account_id):
    """Update an account (name, description, tax type, status ACTIVE/ARCHIVED)."""
    acc = ctx.org.coll("Accounts").get(account_id)
    if acc is None:
        raise not_found()
    items = items_from_body(ctx, "Accounts")
    element = items[0] if items else {}
    errors = []
    if (
        element.get("Code")
        and element["Code"] != acc["Code"]
        and ctx.org.account_by_code(element["Code"])
    ):
        errors.append("Please enter a unique Code.")
    if element.get("TaxType") and rules.tax_rate(ctx.org, element["TaxType"]) is None:
        errors.append(f"The TaxType code '{element['TaxType']}' does not exist")
    if acc.get("SystemAccount") and element.get("Status") == "ARCHIVED":
        errors.append("System accounts cannot be archived")
    if errors:
        raise validation_error(errors, element)
    for key in (
        "Code",
        "Name",
        "Description",
        "TaxType",
        "Status",
        "EnablePaymentsToAccount",
        "ShowInExpenseClaims",
        "BankAccountNumber",
    ):
        if key in element:
            acc[key] = element[key]
    acc["UpdatedDateUTC"] = ctx.stamp()
    return json_response(200, envelope(ctx, "Accounts", [dict(acc)]))


def write_items(ctx):
    return run_batch(ctx, "Items", items_from_body(ctx, "Items"), save_item, "ItemID", _render_item)


ROUTES = [
    ("/Organisation", ["GET"], get_organisation),
    ("/Accounts", ["GET"], get_accounts),
    ("/Accounts", ["PUT"], put_account),
    ("/Accounts/<account_id>", ["GET"], get_account),
    ("/TaxRates", ["GET"], get_tax_rates),
    ("/Currencies", ["GET"], get_currencies),
    ("/Currencies", ["PUT"], put_currency),
    ("/Items", ["GET"], get_items),
    ("/Items", ["PUT", "POST"], write_items),
    ("/Items/<item_id>", ["GET"], get_item),
    ("/Items/<item_id>", ["POST"], post_item),
    ("/Accounts/<account_id>", ["POST"], post_account),
]
