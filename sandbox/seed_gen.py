"""Deterministic generator for the seed organisations.

``python -m sandbox.seed_gen`` rewrites ``sandbox/data/demo.json``; the "empty" seed is
built in memory by :func:`empty_seed`. Names, addresses and VAT numbers are synthetic.
"""

import json
import random
import uuid
from pathlib import Path

NS = uuid.UUID("6f1c2b3a-0d4e-4f5a-8b7c-9d0e1f2a3b4c")
DEMO_TENANT = "a1b2c3d4-0001-4000-8000-00000000d001"
SECOND_TENANT = "a1b2c3d4-0002-4000-8000-00000000d002"
EMPTY_TENANT = "a1b2c3d4-0003-4000-8000-00000000e003"
SEED_TIME = "/Date(1767225600000+0000)/"  # 2026-01-01T00:00:00Z

ACCOUNT_CLASS = {
    "BANK": "ASSET",
    "CURRENT": "ASSET",
    "FIXED": "ASSET",
    "INVENTORY": "ASSET",
    "NONCURRENT": "ASSET",
    "PREPAYMENT": "ASSET",
    "CURRLIAB": "LIABILITY",
    "LIABILITY": "LIABILITY",
    "TERMLIAB": "LIABILITY",
    "PAYG": "LIABILITY",
    "EQUITY": "EQUITY",
    "DEPRECIATN": "EXPENSE",
    "DIRECTCOSTS": "EXPENSE",
    "EXPENSE": "EXPENSE",
    "OVERHEADS": "EXPENSE",
    "OTHERINCOME": "REVENUE",
    "REVENUE": "REVENUE",
    "SALES": "REVENUE",
}

# (code, name, type, tax type, extra)
FULL_CHART = [
    ("090", "Business Bank Account", "BANK", "NONE", {"BankAccountNumber": "0123456789"}),
    ("091", "Business Savings Account", "BANK", "NONE", {"BankAccountNumber": "0987654321"}),
    (
        "092",
        "Euro Bank Account",
        "BANK",
        "NONE",
        {"BankAccountNumber": "DE89370400440532013000", "CurrencyCode": "EUR"},
    ),
    ("200", "Sales", "REVENUE", "OUTPUT", {}),
    ("260", "Other Revenue", "REVENUE", "OUTPUT", {}),
    ("270", "Interest Income", "REVENUE", "NONE", {}),
    ("300", "Purchases", "DIRECTCOSTS", "INPUT", {}),
    ("310", "Cost of Goods Sold", "DIRECTCOSTS", "INPUT", {}),
    ("400", "Advertising", "OVERHEADS", "INPUT", {}),
    ("404", "Bank Fees", "OVERHEADS", "NONE", {}),
    ("408", "Cleaning", "OVERHEADS", "INPUT", {}),
    ("412", "Consulting & Accounting", "OVERHEADS", "INPUT", {}),
    ("416", "Depreciation", "DEPRECIATN", "NONE", {}),
    ("420", "Entertainment", "OVERHEADS", "NONE", {}),
    ("425", "Freight & Courier", "OVERHEADS", "INPUT", {}),
    ("429", "General Expenses", "OVERHEADS", "INPUT", {}),
    ("433", "Insurance", "OVERHEADS", "INPUT", {}),
    ("437", "Interest Expense", "OVERHEADS", "NONE", {}),
    ("441", "Legal expenses", "OVERHEADS", "INPUT", {}),
    ("445", "Light, Power, Heating", "OVERHEADS", "INPUT", {}),
    ("449", "Motor Vehicle Expenses", "OVERHEADS", "INPUT", {}),
    ("453", "Office Expenses", "OVERHEADS", "INPUT", {}),
    ("461", "Printing & Stationery", "OVERHEADS", "INPUT", {}),
    ("469", "Rent", "OVERHEADS", "INPUT", {}),
    ("473", "Repairs and Maintenance", "OVERHEADS", "INPUT", {}),
    ("477", "Wages and Salaries", "EXPENSE", "NONE", {}),
    ("485", "Subscriptions", "OVERHEADS", "INPUT", {}),
    ("489", "Telephone & Internet", "OVERHEADS", "INPUT", {}),
    ("493", "Travel - National", "OVERHEADS", "INPUT", {}),
    ("494", "Travel - International", "OVERHEADS", "NONE", {}),
    ("499", "Old Expenses (archived)", "OVERHEADS", "INPUT", {"Status": "ARCHIVED"}),
    ("610", "Accounts Receivable", "CURRENT", "NONE", {"SystemAccount": "DEBTORS"}),
    ("620", "Prepayments", "PREPAYMENT", "NONE", {}),
    ("630", "Inventory", "INVENTORY", "NONE", {}),
    ("710", "Office Equipment", "FIXED", "INPUT", {}),
    ("720", "Computer Equipment", "FIXED", "INPUT", {}),
    ("800", "Accounts Payable", "CURRLIAB", "NONE", {"SystemAccount": "CREDITORS"}),
    ("801", "Unpaid Expense Claims", "CURRLIAB", "NONE", {}),
    ("820", "Sales Tax", "CURRLIAB", "NONE", {"SystemAccount": "GST"}),
    ("825", "Employee Tax Payable", "CURRLIAB", "NONE", {}),
    ("840", "Historical Adjustment", "CURRLIAB", "NONE", {"SystemAccount": "HISTORICAL"}),
    ("860", "Rounding", "CURRLIAB", "NONE", {"SystemAccount": "ROUNDING"}),
    ("877", "Tracking Transfers", "CURRLIAB", "NONE", {}),
    ("900", "Loan", "TERMLIAB", "NONE", {}),
    ("960", "Retained Earnings", "EQUITY", "NONE", {"SystemAccount": "RETAINEDEARNINGS"}),
    ("970", "Owner A Funds Introduced", "EQUITY", "NONE", {}),
]
MINIMAL_CODES = {"090", "200", "300", "429", "610", "800", "820", "860", "960"}


def _id(tenant, kind, key):
    return str(uuid.uuid5(NS, f"{tenant}:{kind}:{key}"))


def _component(name, rate, compound=False):
    return {"Name": name, "Rate": rate, "IsCompound": compound, "IsNonRecoverable": False}


def tax_rates(rate=15.0, full=True):
    rows = [
        ("Tax on Purchases", "INPUT", [_component("Sales Tax", rate)], "INPUT", "ACTIVE"),
        ("Tax on Sales", "OUTPUT", [_component("Sales Tax", rate)], "OUTPUT", "ACTIVE"),
        ("No Tax", "NONE", [_component("No Tax", 0.0)], "NONE", "ACTIVE"),
    ]
    if full:
        rows += [
            (
                "Tax Exempt Purchases",
                "EXEMPTEXPENSES",
                [_component("Exempt", 0.0)],
                "EXEMPTEXPENSES",
                "ACTIVE",
            ),
            (
                "Tax Exempt Sales",
                "EXEMPTOUTPUT",
                [_component("Exempt", 0.0)],
                "EXEMPTOUTPUT",
                "ACTIVE",
            ),
            (
                "GST + PST (compound)",
                "TAX001",
                [_component("GST", 5.0), _component("PST", 7.0, compound=True)],
                "OUTPUT",
                "ACTIVE",
            ),
            (
                "State and City Tax",
                "TAX002",
                [_component("State Tax", 6.0), _component("City Tax", 2.0)],
                "INPUT",
                "ACTIVE",
            ),
            ("Old Purchases Rate", "TAX003", [_component("Old", 12.5)], "INPUT", "DELETED"),
        ]
    out = []
    for name, code, comps, report, status in rows:
        simple = sum(c["Rate"] for c in comps if not c["IsCompound"])
        effective = simple
        for comp in comps:
            if comp["IsCompound"]:
                effective += comp["Rate"] * (1 + simple / 100.0)
        out.append(
            {
                "Name": name,
                "TaxType": code,
                "ReportTaxType": report,
                "Status": status,
                "TaxComponents": comps,
                "CanApplyToAssets": True,
                "CanApplyToEquity": True,
                "CanApplyToExpenses": True,
                "CanApplyToLiabilities": True,
                "CanApplyToRevenue": True,
                "DisplayTaxRate": round(effective, 4),
                "EffectiveRate": round(effective, 4),
            }
        )
    return out


def accounts(tenant, full=True, base="USD"):
    out = []
    for code, name, typ, tax, extra in FULL_CHART:
        if not full and code not in MINIMAL_CODES:
            continue
        acc = {
            "AccountID": _id(tenant, "account", code),
            "Code": code,
            "Name": name,
            "Type": typ,
            "TaxType": tax,
            "Status": "ACTIVE",
            "Class": ACCOUNT_CLASS[typ],
            "EnablePaymentsToAccount": False,
            "ShowInExpenseClaims": typ in ("OVERHEADS",),
            "ReportingCode": ACCOUNT_CLASS[typ][:3],
            "HasAttachments": False,
            "UpdatedDateUTC": SEED_TIME,
            "AddToWatchlist": False,
        }
        acc.update(extra)
        if typ == "BANK":
            acc["BankAccountType"] = "BANK"
            acc.setdefault("CurrencyCode", base)
        out.append(acc)
    return out


CURRENCY_NAMES = {
    "USD": "United States Dollar",
    "EUR": "Euro",
    "GBP": "British Pound",
    "NZD": "New Zealand Dollar",
    "AUD": "Australian Dollar",
}

PREFIXES = [
    "Acme",
    "Atlas",
    "Beacon",
    "Birch",
    "Cobalt",
    "Summit",
    "Delta",
    "Ember",
    "Falcon",
    "Granite",
    "Harbor",
    "Iris",
    "Juniper",
    "Keystone",
    "Lumen",
    "Meridian",
    "Nimbus",
    "Orchard",
    "Pioneer",
    "Quartz",
    "Riverside",
    "Sterling",
    "Timber",
    "Union",
    "Vertex",
    "Willow",
]
TRADES = [
    "Office Supplies",
    "Logistics",
    "Packaging",
    "Electrical",
    "Catering",
    "Printing",
    "IT Services",
    "Cleaning",
    "Hardware",
    "Freight",
    "Consulting",
    "Textiles",
]
SUFFIXES = ["Ltd", "Inc", "LLC", "Co", "Group", "Partners"]
STREETS = [
    "High Street",
    "Main Road",
    "Station Road",
    "Park Avenue",
    "Church Lane",
    "Mill Lane",
    "Queen Street",
    "King Street",
    "Harbour View",
    "Market Square",
]
CITIES = [
    ("Springfield", "IL", "US"),
    ("Portland", "OR", "US"),
    ("Austin", "TX", "US"),
    ("Denver", "CO", "US"),
    ("Boston", "MA", "US"),
    ("Berlin", "BE", "DE"),
    ("Lyon", "ARA", "FR"),
    ("Leeds", "WYK", "GB"),
]


def contact(tenant, name, rng, supplier=True, currency="USD", status="ACTIVE", n=0):
    city, region, country = rng.choice(CITIES)
    street = f"{rng.randint(1, 250)} {rng.choice(STREETS)}"
    postcode = f"{rng.randint(10000, 99999)}"
    vat_prefix = {"US": "US", "DE": "DE", "FR": "FR", "GB": "GB"}[country]
    slug = "".join(ch for ch in name.lower() if ch.isalnum())[:20]
    addr = {
        "AddressLine1": street,
        "City": city,
        "Region": region,
        "PostalCode": postcode,
        "Country": country,
    }
    return {
        "ContactID": _id(tenant, "contact", name),
        "ContactNumber": f"C{n:04d}",
        "ContactStatus": status,
        "Name": name,
        "EmailAddress": f"accounts@{slug}.example.com",
        "TaxNumber": f"{vat_prefix}{rng.randint(100000000, 999999999)}",
        "Addresses": [dict(addr, AddressType="POBOX"), dict(addr, AddressType="STREET")],
        "Phones": [
            {
                "PhoneType": "DEFAULT",
                "PhoneNumber": f"555-{rng.randint(1000, 9999)}",
                "PhoneAreaCode": f"{rng.randint(200, 999)}",
                "PhoneCountryCode": "1",
            }
        ],
        "IsSupplier": supplier,
        "IsCustomer": not supplier,
        "DefaultCurrency": currency,
        "ContactPersons": [],
        "ContactGroups": [],
        "HasAttachments": False,
        "UpdatedDateUTC": SEED_TIME,
    }


def tracking(tenant, spec):
    out = []
    for name, options in spec:
        cat_id = _id(tenant, "tracking", name)
        out.append(
            {
                "TrackingCategoryID": cat_id,
                "Name": name,
                "Status": "ACTIVE",
                "Options": [
                    {
                        "TrackingOptionID": _id(tenant, "option", f"{name}/{o}"),
                        "Name": o,
                        "Status": "ACTIVE",
                        "TrackingCategoryID": cat_id,
                    }
                    for o in options
                ],
            }
        )
    return out


ITEMS = [
    ("PAPER-A4", "A4 Copier Paper (box)", 24.5, 32.0),
    ("TONER-BK", "Black Toner Cartridge", 61.0, 85.0),
    ("DESK-01", "Standing Desk", 310.0, 449.0),
    ("CHAIR-02", "Ergonomic Chair", 145.0, 229.0),
    ("CABLE-USB", "USB-C Cable 2m", 4.2, 9.9),
    ("MON-27", "27in Monitor", 189.0, 279.0),
    ("SVC-HOUR", "Consulting hour", 0.0, 120.0),
    ("FREIGHT", "Freight charge", 35.0, 45.0),
    ("PALLET", "Wooden Pallet", 12.3456, 18.0),
    ("LAMP-LED", "LED Desk Lamp", 18.75, 34.5),
    ("BOX-L", "Shipping Box Large", 1.15, 2.5),
    ("CLEAN-KIT", "Cleaning Kit", 22.0, 39.0),
]


def items(tenant, subset=None):
    out = []
    for code, name, cost, price in ITEMS[:subset]:
        out.append(
            {
                "ItemID": _id(tenant, "item", code),
                "Code": code,
                "Name": name,
                "Description": name,
                "PurchaseDescription": name,
                "IsSold": True,
                "IsPurchased": code != "SVC-HOUR",
                "IsTrackedAsInventory": False,
                "SalesDetails": {"UnitPrice": price, "AccountCode": "200", "TaxType": "OUTPUT"},
                "PurchaseDetails": {"UnitPrice": cost, "AccountCode": "300", "TaxType": "INPUT"},
                "UpdatedDateUTC": SEED_TIME,
            }
        )
    return out


def organisation(tenant, name, base, country, short, extra=None):
    org = {
        "OrganisationID": tenant,
        "APIKey": short.upper() + "APIKEY",
        "Name": name,
        "LegalName": name,
        "PaysTax": True,
        "Version": "GLOBAL",
        "OrganisationType": "COMPANY",
        "BaseCurrency": base,
        "CountryCode": country,
        "IsDemoCompany": False,
        "OrganisationStatus": "ACTIVE",
        "TaxNumber": "101-2-303",
        "FinancialYearEndDay": 31,
        "FinancialYearEndMonth": 12,
        "SalesTaxBasis": "ACCRUALS",
        "SalesTaxPeriod": "QUARTERLY",
        "DefaultSalesTax": "Tax Exclusive",
        "DefaultPurchasesTax": "Tax Exclusive",
        "CreatedDateUTC": SEED_TIME,
        "OrganisationEntityType": "COMPANY",
        "ShortCode": short,
        "Edition": "BUSINESS",
        "Class": "PREMIUM",
        "LineOfBusiness": "Office supplies",
        "Addresses": [],
        "Phones": [],
        "ExternalLinks": [],
        "PaymentTerms": {},
        "Timezone": "UTC",
    }
    org.update(extra or {})
    return org


def _apps(first_tenant):
    return [
        {
            "client_id": "sandbox-client-id",
            "client_secret": "sandbox-client-secret",
            "name": "Sandbox App",
            "kind": "standard",
        },
        {
            "client_id": "sandbox-custom-id",
            "client_secret": "sandbox-custom-secret",
            "name": "Sandbox Custom Connection",
            "kind": "custom",
            "tenant_id": first_tenant,
        },
    ]


def demo_seed():
    rng = random.Random(20261121)
    suppliers, seen = [], set()
    n = 0
    while len(suppliers) < 160:
        name = f"{rng.choice(PREFIXES)} {rng.choice(TRADES)} {rng.choice(SUFFIXES)}"
        if name in seen:
            continue
        seen.add(name)
        n += 1
        currency = "EUR" if n % 10 == 0 else "USD"
        suppliers.append(contact(DEMO_TENANT, name, rng, True, currency, n=n))
    customers = []
    for i, name in enumerate(
        [
            "Bayside Club",
            "City Agency",
            "Marine Systems",
            "Rex Media Group",
            "Ridgeway University",
            "Boom FM",
            "Hamilton Smith Ltd",
            "Petrie McLoud Watson & Associates",
            "Basket Case",
            "Young Bros",
        ]
    ):
        customers.append(contact(DEMO_TENANT, name, rng, False, n=500 + i))
    archived = contact(DEMO_TENANT, "Defunct Supplies Ltd", rng, True, status="ARCHIVED", n=999)
    demo = {
        "Organisation": organisation(DEMO_TENANT, "Demo Company (Global)", "USD", "US", "!dEm0"),
        "Accounts": accounts(DEMO_TENANT),
        "TaxRates": tax_rates(),
        "Currencies": [
            {"Code": c, "Description": CURRENCY_NAMES[c]} for c in ("USD", "EUR", "GBP")
        ],
        "TrackingCategories": tracking(
            DEMO_TENANT,
            [
                ("Region", ["North", "South", "East", "West"]),
                ("Department", ["Sales", "Operations", "Administration"]),
            ],
        ),
        "Contacts": suppliers + customers + [archived],
        "Items": items(DEMO_TENANT),
    }
    rng2 = random.Random(7)
    second = {
        "Organisation": organisation(
            SECOND_TENANT, "Second Org Ltd", "GBP", "GB", "!s3c0", {"Version": "UK"}
        ),
        "Accounts": accounts(SECOND_TENANT, full=False, base="GBP"),
        "TaxRates": tax_rates(20.0, full=False),
        "Currencies": [{"Code": "GBP", "Description": CURRENCY_NAMES["GBP"]}],
        "TrackingCategories": tracking(SECOND_TENANT, [("Project", ["Alpha", "Beta"])]),
        "Contacts": [
            contact(SECOND_TENANT, f"UK Supplier {i}", rng2, True, "GBP", n=i) for i in range(1, 6)
        ],
        "Items": items(SECOND_TENANT, 3),
    }
    return {
        "apps": _apps(DEMO_TENANT),
        "users": [
            {
                "user_id": _id("user", "user", "demo"),
                "email": "demo@example.com",
                "tenants": [DEMO_TENANT, SECOND_TENANT],
            }
        ],
        "organisations": [demo, second],
    }


def empty_seed():
    org = {
        "Organisation": organisation(EMPTY_TENANT, "Empty Org", "USD", "US", "!3mpt"),
        "Accounts": accounts(EMPTY_TENANT, full=False),
        "TaxRates": tax_rates(full=False),
        "Currencies": [{"Code": "USD", "Description": CURRENCY_NAMES["USD"]}],
        "TrackingCategories": [],
        "Contacts": [],
        "Items": [],
    }
    return {
        "apps": _apps(EMPTY_TENANT),
        "users": [
            {
                "user_id": _id("user", "user", "demo"),
                "email": "demo@example.com",
                "tenants": [EMPTY_TENANT],
            }
        ],
        "organisations": [org],
    }


DEMO_PATH = Path(__file__).parent / "data" / "demo.json"

if __name__ == "__main__":
    DEMO_PATH.write_text(json.dumps(demo_seed(), indent=1) + "\n")
    print(f"wrote {DEMO_PATH}")
