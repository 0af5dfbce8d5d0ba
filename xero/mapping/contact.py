"""Contacts: an Odoo partner's values -> a Xero Contact, and back.

Odoo side values are plain dicts prepared by the addon (codes, not record ids):
``name, ref, email, phone, mobile, vat, street, street2, city, state_code, zip,
country_code, currency_code, bank_account, bill_days, active``.
"""

NAME_MAX = 255
TEXT_MAX = 50
LINE_MAX = 500

# Xero's payment-term types Odoo can represent with one "N days after" line.
DAYS_AFTER = "DAYSAFTERBILLDATE"


def _cut(value, size):
    value = (value or "").strip()
    return value[:size] if value else None


def _address(values, address_type):
    lines = [_cut(values.get("street"), LINE_MAX), _cut(values.get("street2"), LINE_MAX)]
    address = {
        "AddressType": address_type,
        "AddressLine1": lines[0],
        "AddressLine2": lines[1],
        "City": _cut(values.get("city"), 255),
        "Region": _cut(values.get("state_code"), 255),
        "PostalCode": _cut(values.get("zip"), TEXT_MAX),
        "Country": _cut(values.get("country_code"), TEXT_MAX),
    }
    return {k: v for k, v in address.items() if v is not None}


def partner_to_contact(values, contact_id=None):
    """The Xero Contact for an Odoo company partner.

    ``contact_id`` updates that contact; without it the payload creates one (the
    contact number is only sent on updates: on a create Xero would match an existing
    contact carrying the same number).
    """
    payload = {
        "ContactID": contact_id or None,
        "Name": _cut(values.get("name"), NAME_MAX),
        "EmailAddress": _cut(values.get("email"), 255),
        "TaxNumber": _cut(values.get("vat"), TEXT_MAX),
        "DefaultCurrency": values.get("currency_code") or None,
        "BankAccountDetails": _cut(values.get("bank_account"), 255),
    }
    if contact_id:
        payload["ContactNumber"] = _cut(values.get("ref"), TEXT_MAX)
    phones = []
    if values.get("phone"):
        phones.append({"PhoneType": "DEFAULT", "PhoneNumber": _cut(values["phone"], TEXT_MAX)})
    if values.get("mobile"):
        phones.append({"PhoneType": "MOBILE", "PhoneNumber": _cut(values["mobile"], TEXT_MAX)})
    if phones:
        payload["Phones"] = phones
    if any(values.get(k) for k in ("street", "street2", "city", "zip", "country_code")):
        payload["Addresses"] = [_address(values, "POBOX"), _address(values, "STREET")]
    if values.get("bill_days") is not None:
        payload["PaymentTerms"] = {"Bills": {"Day": int(values["bill_days"]), "Type": DAYS_AFTER}}
    if values.get("active") is False:
        payload["ContactStatus"] = "ARCHIVED"
    return {k: v for k, v in payload.items() if v is not None}


def _phone_text(phone):
    parts = [phone.get("PhoneCountryCode"), phone.get("PhoneAreaCode"), phone.get("PhoneNumber")]
    number = (phone.get("PhoneNumber") or "").strip()
    if not number:
        return None
    prefix = ""
    if parts[0]:
        prefix += "+" + str(parts[0]).lstrip("+") + " "
    if parts[1]:
        prefix += str(parts[1]) + " "
    return prefix + number


def _pick_address(addresses):
    by_type = {a.get("AddressType"): a for a in addresses or [] if isinstance(a, dict)}
    for address_type in ("STREET", "POBOX"):
        address = by_type.get(address_type)
        if address and any(
            address.get(k) for k in ("AddressLine1", "City", "PostalCode", "Country")
        ):
            return address
    return {}


def contact_to_partner(contact):
    """Odoo partner values (plain, codes instead of ids) from a Xero Contact."""
    phones = {p.get("PhoneType"): _phone_text(p) for p in contact.get("Phones") or []}
    address = _pick_address(contact.get("Addresses"))
    lines = [address.get(f"AddressLine{i}") for i in range(1, 5)]
    street2 = ", ".join(line for line in lines[1:] if line) or False
    values = {
        "name": (contact.get("Name") or "").strip(),
        "ref": contact.get("ContactNumber") or False,
        "email": contact.get("EmailAddress") or False,
        "phone": phones.get("DEFAULT") or phones.get("OFFICE") or phones.get("DDI") or False,
        "mobile": phones.get("MOBILE") or False,
        "vat": contact.get("TaxNumber") or False,
        "street": lines[0] or False,
        "street2": street2,
        "city": address.get("City") or False,
        "state_code": address.get("Region") or False,
        "zip": address.get("PostalCode") or False,
        "country_code": address.get("Country") or False,
        "currency_code": contact.get("DefaultCurrency") or False,
        "bank_account": (contact.get("BankAccountDetails") or "").strip() or False,
        "bill_days": None,
        "active": contact.get("ContactStatus") != "ARCHIVED",
    }
    bills = (contact.get("PaymentTerms") or {}).get("Bills") or {}
    if bills.get("Type") == DAYS_AFTER and bills.get("Day") is not None:
        values["bill_days"] = int(bills["Day"])
    return values


def same_name(a, b):
    """Xero contact names are unique regardless of case and surrounding spaces."""
    return (a or "").strip().casefold() == (b or "").strip().casefold()


def same_tax_number(a, b):
    def norm(v):
        return "".join(ch for ch in (v or "") if ch.isalnum()).upper()

    return bool(norm(a)) and norm(a) == norm(b)
