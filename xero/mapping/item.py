"""Items: Xero Item -> Odoo product values (codes instead of record ids)."""

NAME_MAX = 50


def item_to_product(item):
    """Plain product values; account codes and TaxTypes are resolved by the addon."""
    sales = item.get("SalesDetails") or {}
    purchase = item.get("PurchaseDetails") or {}
    name = (item.get("Name") or item.get("Code") or "").strip()
    return {
        "default_code": (item.get("Code") or "").strip(),
        "name": name,
        "description_sale": item.get("Description") or False,
        "description_purchase": item.get("PurchaseDescription") or False,
        "list_price": float(sales.get("UnitPrice") or 0.0),
        "standard_price": float(purchase.get("UnitPrice") or 0.0),
        "sale_ok": bool(item.get("IsSold", True)),
        "purchase_ok": bool(item.get("IsPurchased", True)),
        "income_account_code": sales.get("AccountCode") or False,
        "expense_account_code": purchase.get("COGSAccountCode")
        or purchase.get("AccountCode")
        or False,
        "sale_tax_type": sales.get("TaxType") or False,
        "purchase_tax_type": purchase.get("TaxType") or False,
    }
