"""Xero's validation rules and arithmetic for documents: contacts, accounts, tax types,
currencies, tracking and line totals (tax per line rounded to 2 dp, then summed)."""

import uuid
from decimal import ROUND_HALF_UP, Decimal

LINE_AMOUNT_TYPES = ("Exclusive", "Inclusive", "NoTax")
CENT = Decimal("0.01")
LINE_FORBIDDEN_SYSTEM_ACCOUNTS = {"DEBTORS", "CREDITORS", "GST", "RETAINEDEARNINGS"}


def dec(value, default="0"):
    if value is None or value == "":
        return Decimal(default)
    return Decimal(str(value))


def q(value, places=2):
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def num(value):
    """Decimal -> JSON number (float) the way Xero prints amounts."""
    return float(value)


def contact_name_taken(org, name, exclude_id=None):
    wanted = (name or "").strip().lower()
    for contact in org.coll("Contacts").values():
        if contact["ContactID"] == exclude_id or contact.get("ContactStatus") == "ARCHIVED":
            continue
        if contact.get("Name", "").strip().lower() == wanted:
            return contact
    return None


def resolve_contact(org, ref, allow_create_by_name):
    """Find the contact a document refers to. Returns ``(contact, errors, new_contact)``."""
    if not isinstance(ref, dict) or not any(
        ref.get(k) for k in ("ContactID", "ContactNumber", "Name")
    ):
        return None, ["A Contact must be specified for this type of transaction"], None
    contacts = org.coll("Contacts")
    found = None
    if ref.get("ContactID"):
        found = contacts.get(ref["ContactID"].lower()) or contacts.get(ref["ContactID"])
        if found is None:
            return None, [f"The contact with ContactID {ref['ContactID']} could not be found"], None
    elif ref.get("ContactNumber"):
        found = next(
            (c for c in contacts.values() if c.get("ContactNumber") == ref["ContactNumber"]), None
        )
        if found is None:
            return (
                None,
                [(f"The contact with ContactNumber {ref['ContactNumber']} could not be found")],
                None,
            )
    else:
        name = ref["Name"].strip()
        found = next(
            (
                c
                for c in contacts.values()
                if c.get("Name", "").strip().lower() == name.lower()
                and c.get("ContactStatus") != "ARCHIVED"
            ),
            None,
        )
        if found is None:
            archived = next(
                (c for c in contacts.values() if c.get("Name", "").strip().lower() == name.lower()),
                None,
            )
            if archived is not None:
                found = archived
            elif allow_create_by_name:
                return None, [], {"ContactID": str(uuid.uuid4()), "Name": name}
            else:
                return (
                    None,
                    [
                        (
                            f"The contact '{name}' could not be found. Purchase orders "
                            "require an existing contact (ContactID or ContactNumber)"
                        )
                    ],
                    None,
                )
    if found.get("ContactStatus") == "ARCHIVED":
        return (
            None,
            [
                (
                    f"The contact '{found.get('Name')}' is archived and cannot be used on "
                    "a new or updated transaction"
                )
            ],
            None,
        )
    return found, [], None


def active_account(org, line):
    """Return ``(account, error)`` for the line's AccountCode/AccountID (None if none given)."""
    code, account_id = line.get("AccountCode"), line.get("AccountID")
    if not code and not account_id:
        return None, None
    acc = org.coll("Accounts").get(account_id) if account_id else org.account_by_code(code)
    if (
        acc is None
        or acc.get("Status") != "ACTIVE"
        or acc.get("Type") == "BANK"
        or acc.get("SystemAccount") in LINE_FORBIDDEN_SYSTEM_ACCOUNTS
    ):
        # bank accounts and control accounts (receivables, payables, tax) cannot be coded
        return None, f"Account code '{code or account_id}' is not a valid code for this document."
    return acc, None


# TaxRate flags saying which classes of account a tax type may be coded with.
CAN_APPLY = {
    "ASSET": "CanApplyToAssets",
    "EQUITY": "CanApplyToEquity",
    "EXPENSE": "CanApplyToExpenses",
    "LIABILITY": "CanApplyToLiabilities",
    "REVENUE": "CanApplyToRevenue",
}


def tax_fits_account(rate, account):
    """Xero refuses a tax type whose CanApplyTo<Class> flag is off for the account's class
    ("The TaxType code 'X' cannot be used with account code 'Y'")."""
    if account is None:
        return True
    flag = CAN_APPLY.get(account.get("Class"))
    return not flag or rate.get(flag) is not False


def untaxed_type(org, tax_type, sales):
    """Australian organisations have no plain 'no tax' on documents: Xero silently
    codes NONE as BAS Excluded (the line then leaves the BAS)."""
    if tax_type == "NONE" and org.info.get("CountryCode") == "AU":
        return "BASEXCLUDED"
    return tax_type


def tax_rate(org, tax_type):
    rate = org.coll("TaxRates").get(tax_type)
    if rate is None or rate.get("Status") != "ACTIVE":
        return None
    return rate


def check_currency(org, code):
    base = org.info.get("BaseCurrency")
    if not code or code == base:
        return None
    if code not in org.currencies():
        return f"Organisation is not subscribed to currency {code}"
    return None


def resolve_tracking(org, tracking, by_name=False):
    """Validate line tracking (max 2 categories) and fill in the ids.

    ``by_name``: purchase orders match tracking by category Name and Option only;
    ids alone are refused there (XeroAPI/xero-php-oauth2#268)."""
    if not tracking:
        return [], []
    if len(tracking) > 2:
        return [], ["A line item can have a maximum of 2 tracking categories"]
    out, errors = [], []
    for ref in tracking:
        if by_name:
            ref = {"Name": ref.get("Name"), "Option": ref.get("Option")}
            if not (ref["Name"] or "").strip():
                errors.append(
                    "Unknown tracking details. A Tracking Category did not match a known "
                    "Active TrackingCategory"
                )
                continue
        cat = None
        for candidate in org.coll("TrackingCategories").values():
            if candidate.get("Status") != "ACTIVE":
                continue
            if ref.get("TrackingCategoryID") == candidate["TrackingCategoryID"] or (
                (ref.get("Name") or "").lower() == candidate["Name"].lower()
            ):
                cat = candidate
                break
        if cat is None:
            label = ref.get("Name") or ref.get("TrackingCategoryID")
            errors.append(f"The tracking category '{label}' does not exist or is archived")
            continue
        wanted = (ref.get("Option") or "").lower()
        opt = next(
            (
                o
                for o in cat.get("Options", [])
                if o.get("Status") == "ACTIVE"
                and (
                    ref.get("TrackingOptionID") == o["TrackingOptionID"]
                    or wanted == o["Name"].lower()
                )
            ),
            None,
        )
        if opt is None:
            label = ref.get("Option") or ref.get("TrackingOptionID")
            errors.append(
                f"The tracking option '{label}' is not a valid option for tracking "
                f"category '{cat['Name']}'"
            )
            continue
        out.append(
            {
                "TrackingCategoryID": cat["TrackingCategoryID"],
                "TrackingOptionID": opt["TrackingOptionID"],
                "Name": cat["Name"],
                "Option": opt["Name"],
            }
        )
    return out, errors


def build_lines(
    org,
    lines,
    old_lines,
    lat,
    unitdp,
    *,
    sales,
    allow_discount,
    need_account,
    tracking_by_name=False,
):
    """Validate and compute line items. Lines with a LineItemID update that line; lines
    without one are new; existing lines left out are dropped by the caller.

    Returns ``(lines, totals, errors)``.
    """
    old = {line["LineItemID"]: line for line in (old_lines or [])}
    out, errors = [], []
    sub, tax_total, discount_total = Decimal(0), Decimal(0), Decimal(0)
    for raw in lines:
        line = dict(old.get(raw.get("LineItemID"), {})) if raw.get("LineItemID") else {}
        if raw.get("LineItemID") and raw["LineItemID"] not in old:
            errors.append(f"LineItemID {raw['LineItemID']} does not belong to this document")
            continue
        line.update(raw)
        if line.get("ItemCode"):
            item = next(
                (i for i in org.coll("Items").values() if i["Code"] == line["ItemCode"]), None
            )
            if item is None:
                errors.append(f"Item code '{line['ItemCode']}' is not valid")
                continue
            details = item.get("SalesDetails" if sales else "PurchaseDetails") or {}
            line.setdefault("Description", item.get("Description") or item.get("Name"))
            if "UnitAmount" not in line and details.get("UnitPrice") is not None:
                line["UnitAmount"] = details["UnitPrice"]
            if details.get("AccountCode") and not line.get("AccountID"):
                line.setdefault("AccountCode", details["AccountCode"])
            if details.get("TaxType"):
                line.setdefault("TaxType", details["TaxType"])
        if not (line.get("Description") or "").strip():
            errors.append("Description needs to be at least 1 char long")
            continue
        if not allow_discount and (line.get("DiscountRate") or line.get("DiscountAmount")):
            errors.append(
                "Discounts are only allowed on ACCREC invoices (sales invoices); "
                "remove DiscountRate/DiscountAmount"
            )
            continue
        acc, err = active_account(org, line)
        if err:
            errors.append(err)
            continue
        if acc is None and need_account:
            errors.append("Account code '' is not a valid code for this document.")
            continue
        if acc is not None:
            line["AccountCode"], line["AccountID"] = acc["Code"], acc["AccountID"]
        tracking, terrs = resolve_tracking(org, line.get("Tracking"), tracking_by_name)
        if terrs:
            errors.extend(terrs)
            continue
        line["Tracking"] = tracking
        if lat == "NoTax":
            line["TaxType"] = "NONE"
        elif not line.get("TaxType"):
            line["TaxType"] = (acc or {}).get("TaxType") or "NONE"
        line["TaxType"] = untaxed_type(org, line["TaxType"], sales)
        rate = tax_rate(org, line["TaxType"])
        if rate is None:
            errors.append(
                f"The TaxType code '{line['TaxType']}' does not exist or cannot be "
                "used with this type of transaction."
            )
            continue
        if not tax_fits_account(rate, acc):
            errors.append(
                f"The TaxType code '{line['TaxType']}' cannot be used with account code "
                f"'{acc['Code']}'."
            )
            continue
        qty = dec(line.get("Quantity"), "1")
        if line.get("UnitAmount") is None and line.get("LineAmount") is not None:
            unit = dec(line["LineAmount"]) / (qty or 1)
        else:
            unit = dec(line.get("UnitAmount"))
        # a unit price the request did not send keeps the precision it was stored with
        unit = q(unit, unitdp if "UnitAmount" in raw or "LineAmount" in raw else 4)
        gross = qty * unit
        discount = Decimal(0)
        if line.get("DiscountRate"):
            discount = gross * dec(line["DiscountRate"]) / 100
        elif line.get("DiscountAmount"):
            discount = dec(line["DiscountAmount"])
        amount = q(gross - discount)
        if abs(amount) > Decimal("9999999999.99"):
            errors.append("LineAmount must be less than 9,999,999,999.99")
            continue
        eff = dec(rate.get("EffectiveRate"))
        if lat == "NoTax":
            tax = Decimal(0)
        elif lat == "Inclusive":
            tax = q(amount * eff / (100 + eff))
        else:
            tax = q(amount * eff / 100)
        if raw.get("TaxAmount") is not None and lat != "NoTax":
            tax = q(dec(raw["TaxAmount"]))
        line.update(
            {
                "Quantity": num(qty),
                "UnitAmount": num(unit),
                "LineAmount": num(amount),
                "TaxAmount": num(tax),
            }
        )
        line.setdefault("LineItemID", str(uuid.uuid4()))
        out.append(line)
        sub += amount - (tax if lat == "Inclusive" else 0)
        tax_total += tax
        discount_total += q(discount)
    totals = {"SubTotal": num(sub), "TotalTax": num(tax_total), "Total": num(sub + tax_total)}
    if allow_discount:
        totals["TotalDiscount"] = num(discount_total)
    return out, totals, errors


def render_lines(lines, unitdp):
    out = []
    for line in lines or []:
        row = dict(line)
        if unitdp == 2 and row.get("UnitAmount") is not None:
            row["UnitAmount"] = num(q(dec(row["UnitAmount"]), 2))
        out.append(row)
    return out
