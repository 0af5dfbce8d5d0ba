"""Account, tax-rate and item mapping, without a database or a sandbox."""

from decimal import Decimal

import pytest

from xero.mapping.account import account_values, odoo_account_type
from xero.mapping.item import item_to_product
from xero.mapping.tax import TaxRefused, tax_amounts, tax_uses, tax_values


@pytest.mark.parametrize(
    ("xero_type", "odoo_type"),
    [
        ("BANK", "asset_cash"),
        ("CURRENT", "asset_current"),
        ("FIXED", "asset_fixed"),
        ("NONCURRENT", "asset_non_current"),
        ("INVENTORY", "asset_current"),
        ("PREPAYMENT", "asset_prepayments"),
        ("CURRLIAB", "liability_current"),
        ("TERMLIAB", "liability_non_current"),
        ("LIABILITY", "liability_current"),
        ("EQUITY", "equity"),
        ("DIRECTCOSTS", "expense_direct_cost"),
        ("EXPENSE", "expense"),
        ("OVERHEADS", "expense"),
        ("DEPRECIATN", "expense_depreciation"),
        ("REVENUE", "income"),
        ("SALES", "income"),
        ("OTHERINCOME", "income_other"),
    ],
)
def test_compatible_account_types(xero_type, odoo_type):
    assert odoo_account_type({"Type": xero_type}) == (odoo_type, None)


def test_incompatible_and_system_accounts():
    assert odoo_account_type({"Type": "PAYG"})[0] is None
    assert "PAYG" in odoo_account_type({"Type": "PAYG"})[1]
    assert odoo_account_type({"Type": "CURRLIAB", "SystemAccount": "CREDITORS"})[0] == (
        "liability_payable"
    )
    values = account_values(
        {
            "Type": "CURRENT",
            "SystemAccount": "DEBTORS",
            "Code": "610",
            "Name": "AR",
            "Status": "ACTIVE",
        }
    )
    assert values["reconcile"] is True
    assert account_values({"Type": "EXPENSE", "Code": "4", "Status": "ARCHIVED"})["deprecated"]
    with pytest.raises(ValueError):
        account_values({"Type": "EXPENSE", "Code": " "})


def _rate(*components, report="INPUT", tax_type="TAX001"):
    return {
        "TaxType": tax_type,
        "Name": "R",
        "ReportTaxType": report,
        "Status": "ACTIVE",
        "TaxComponents": [
            {"Name": str(i), "Rate": r, "IsCompound": c, "IsNonRecoverable": n}
            for i, (r, c, n) in enumerate(components)
        ],
    }


def test_tax_amounts_from_components():
    assert tax_amounts(_rate((6, False, False), (2, False, False))) == (Decimal(8), Decimal(0))
    amount, share = tax_amounts(_rate((5, False, False), (7, True, False)))
    assert amount == Decimal("12.35")
    amount, share = tax_amounts(_rate((6, False, False), (4, False, True)))
    assert (amount, share) == (Decimal(10), Decimal("0.4"))
    with pytest.raises(TaxRefused):
        tax_amounts(_rate((5, False, True), (5, True, False)))
    with pytest.raises(TaxRefused):
        tax_values(_rate((5, False, True), report="OUTPUT"), "sale")


def test_tax_uses():
    assert tax_uses(_rate(report="INPUT")) == ["purchase"]
    assert tax_uses(_rate(report="OUTPUT")) == ["sale"]
    assert tax_uses(_rate(report="NONE", tax_type="NONE")) == ["purchase", "sale"]
    assert tax_uses(_rate(report="", tax_type="INPUT2")) == ["purchase"]


def test_item_to_product():
    values = item_to_product(
        {
            "Code": " PAPER ",
            "Name": "Paper",
            "Description": "Sales text",
            "PurchaseDescription": "Buy text",
            "IsSold": False,
            "SalesDetails": {
                "UnitPrice": Decimal("32.5"),
                "AccountCode": "200",
                "TaxType": "OUTPUT",
            },
            "PurchaseDetails": {"UnitPrice": 24, "COGSAccountCode": "310", "AccountCode": "300"},
        }
    )
    assert values["default_code"] == "PAPER"
    assert values["list_price"] == 32.5
    assert values["standard_price"] == 24.0
    assert values["sale_ok"] is False and values["purchase_ok"] is True
    assert values["income_account_code"] == "200"
    assert values["expense_account_code"] == "310"
    assert values["purchase_tax_type"] is False
