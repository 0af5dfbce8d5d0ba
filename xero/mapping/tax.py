"""Tax rates: the Odoo percentage, use and recoverable share of a Xero TaxRate."""

from decimal import ROUND_HALF_UP, Decimal

PURCHASE_REPORT_TYPES = {"INPUT", "EXEMPTEXPENSES", "GSTONIMPORTS", "CAPEXINPUT", "RRINPUT"}
SALE_REPORT_TYPES = {"OUTPUT", "EXEMPTOUTPUT", "MOSSSALES", "ECOUTPUT", "ECOUTPUTSERVICES"}


# TaxRate flags: the classes of account a Xero tax rate may be used with.
CAN_APPLY = {
    "ASSET": "CanApplyToAssets",
    "EQUITY": "CanApplyToEquity",
    "EXPENSE": "CanApplyToExpenses",
    "LIABILITY": "CanApplyToLiabilities",
    "REVENUE": "CanApplyToRevenue",
}
# Odoo account types -> Xero account classes.
ACCOUNT_CLASS = {
    "asset_receivable": "ASSET",
    "asset_cash": "ASSET",
    "asset_current": "ASSET",
    "asset_non_current": "ASSET",
    "asset_prepayments": "ASSET",
    "asset_fixed": "ASSET",
    "liability_payable": "LIABILITY",
    "liability_credit_card": "LIABILITY",
    "liability_current": "LIABILITY",
    "liability_non_current": "LIABILITY",
    "equity": "EQUITY",
    "equity_unaffected": "EQUITY",
    "income": "REVENUE",
    "income_other": "REVENUE",
    "expense": "EXPENSE",
    "expense_other": "EXPENSE",
    "expense_depreciation": "EXPENSE",
    "expense_direct_cost": "EXPENSE",
}


def applies_to(rate):
    """The account classes a Xero TaxRate may be used with, as "ASSET,EXPENSE,..."
    (empty: Xero's answer says nothing, any class)."""
    flags = {cls: rate.get(flag) for cls, flag in CAN_APPLY.items()}
    if all(value is None for value in flags.values()):
        return ""
    return ",".join(cls for cls, value in flags.items() if value is not False)


def untaxed_type(country_code, sales):
    """The TaxType of a line without tax in an organisation of ``country_code``.

    Australian organisations have no plain 'no tax': Xero silently codes NONE as BAS
    Excluded there, leaving the line off the BAS. A line Odoo taxes with nothing is
    GST-free: EXEMPTOUTPUT (sales) or EXEMPTEXPENSES (purchases). Elsewhere NONE
    (No GST, No VAT, no sales tax) is the organisation's untaxed rate."""
    if (country_code or "").upper() == "AU":
        return "EXEMPTOUTPUT" if sales else "EXEMPTEXPENSES"
    return "NONE"


def out_of_scope_type(country_code):
    """The TaxType of a line outside the tax return (a rounding line)."""
    return "BASEXCLUDED" if (country_code or "").upper() == "AU" else "NONE"


class TaxRefused(ValueError):
    """The tax rate cannot be represented by one Odoo tax."""


def _dec(value):
    return Decimal(str(value or 0))


def tax_uses(rate):
    """The Odoo ``type_tax_use`` values a Xero tax rate is imported as."""
    report = (rate.get("ReportTaxType") or "").upper()
    tax_type = (rate.get("TaxType") or "").upper()
    if report in PURCHASE_REPORT_TYPES or tax_type.startswith("INPUT"):
        return ["purchase"]
    if report in SALE_REPORT_TYPES or tax_type.startswith("OUTPUT"):
        return ["sale"]
    return ["purchase", "sale"]


def tax_amounts(rate):
    """(effective percent, non-recoverable share 0..1) from the components.

    Non-compound components add up; compound ones apply on top of the amount with the
    taxes before them (Xero's EffectiveRate). A non-recoverable part is only possible
    on simple rates: with compound components the split cannot be expressed in Odoo.
    """
    components = rate.get("TaxComponents") or []
    if not components:
        return _dec(rate.get("EffectiveRate") or rate.get("DisplayTaxRate")), Decimal(0)
    simple = sum((_dec(c.get("Rate")) for c in components if not c.get("IsCompound")), Decimal(0))
    total = simple
    for component in components:
        if component.get("IsCompound"):
            total += _dec(component.get("Rate")) * (100 + total) / 100
    non_recoverable = sum(
        (_dec(c.get("Rate")) for c in components if c.get("IsNonRecoverable")), Decimal(0)
    )
    compound = any(c.get("IsCompound") for c in components)
    if non_recoverable and compound:
        raise TaxRefused(
            "it mixes compound and non-recoverable components, which one Odoo tax "
            "cannot hold: create the tax in Odoo by hand"
        )
    total = total.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    share = (non_recoverable / total) if total else Decimal(0)
    return total, share


def tax_values(rate, use):
    """Odoo values of the ``use`` ('purchase'/'sale') tax for a Xero TaxRate."""
    amount, share = tax_amounts(rate)
    if share and use == "sale":
        raise TaxRefused("non-recoverable components only exist on purchases in Odoo")
    return {
        "name": (rate.get("Name") or rate.get("TaxType") or "").strip(),
        "amount": float(amount),
        "amount_type": "percent",
        "type_tax_use": use,
        "active": rate.get("Status") == "ACTIVE",
        "non_recoverable_share": float(share),
    }
