"""/Reports/TrialBalance: Xero's ReportWithRows shape, balances from approved documents
and payments up to the date, and the reports scope."""

from decimal import Decimal

from .conftest import Api, bill, line
from .test_invoices import create

REPORT_SCOPE = (
    "offline_access accounting.invoices accounting.payments accounting.reports.trialbalance.read"
)


def balances(api, day):
    """{account code: YTD debit - credit} and the report, at ``day``."""
    body = api.ok("GET", "/Reports/TrialBalance", params={"date": day})
    report = body["Reports"][0]
    out = {}
    for section in report["Rows"]:
        for row in section.get("Rows") or []:
            if row["RowType"] != "Row":
                continue
            cells = row["Cells"]
            code = cells[0]["Value"].rsplit("(", 1)[1].rstrip(")")
            assert cells[0]["Attributes"][0]["Id"] == "account"
            out[code] = Decimal(cells[3]["Value"] or "0") - Decimal(cells[4]["Value"] or "0")
    return out, report


def delta(after, before, code):
    return after.get(code, Decimal(0)) - before.get(code, Decimal(0))


def test_trial_balance_posts_approved_documents_and_payments(sb, supplier):
    api = Api(sb, sb.tokens(scope=REPORT_SCOPE), renew=False)
    before, _report = balances(api, "2031-02-28")
    contact = supplier["ContactID"]
    approved = create(api, bill(contact, line(100.0), Status="AUTHORISED", Date="2031-03-03"))
    create(api, bill(contact, line(40.0), Status="DRAFT", Date="2031-03-04"))  # not posted
    create(api, bill(contact, line(60.0), Status="AUTHORISED", Date="2031-04-02"))  # later
    sale = create(
        api,
        dict(bill(contact, line(200.0, account="200", tax="OUTPUT")), Type="ACCREC"),
    )
    api.ok(
        "POST",
        f"/Invoices/{sale['InvoiceID']}",
        {"Invoices": [{"Status": "AUTHORISED", "Date": "2031-03-10"}]},
    )
    api.ok(
        "PUT",
        "/Payments",
        {
            "Payments": [
                {
                    "Invoice": {"InvoiceID": approved["InvoiceID"]},
                    "Account": {"Code": "090"},
                    "Date": "2031-03-20",
                    "Amount": 15.0,
                }
            ]
        },
    )
    after, report = balances(api, "2031-03-31")
    assert report["ReportType"] == "TrialBalance" and report["ReportDate"] == "31 March 2031"
    assert report["Rows"][0]["RowType"] == "Header"
    assert [c["Value"] for c in report["Rows"][0]["Cells"]] == [
        "Account",
        "Debit",
        "Credit",
        "YTD Debit",
        "YTD Credit",
    ]
    # the bill: 115.00 owed, 15.00 paid -> AP credit 100.00; the sale: AR debit 230.00
    assert delta(after, before, "800") == Decimal("-100.00")
    assert delta(after, before, "610") == Decimal("230.00")
    assert delta(after, before, "090") == Decimal("-15.00")
    summary = report["Rows"][-1]["Rows"][0]
    assert summary["RowType"] == "SummaryRow"
    values = [Decimal(c["Value"]) for c in summary["Cells"][1:]]
    assert values[0] == values[1] and values[2] == values[3]  # debits equal credits


def test_trial_balance_needs_a_reports_scope(sb):
    plain = Api(sb, sb.tokens(scope="offline_access accounting.invoices"))
    resp = plain.get("/Reports/TrialBalance", params={"date": "2031-03-31"})
    assert resp.status_code == 401 and resp.json()["Detail"] == "AuthorizationUnsuccessful"
    granular = Api(sb, sb.tokens(scope="offline_access accounting.reports.trialbalance.read"))
    assert granular.get("/Reports/TrialBalance").status_code == 200
    # a per-report scope opens that report only
    aged = Api(sb, sb.tokens(scope="offline_access accounting.reports.aged.read"))
    assert aged.get("/Reports/TrialBalance").status_code == 401


def test_trial_balance_refuses_a_bad_date(sb):
    api = Api(sb, sb.tokens(scope=REPORT_SCOPE))
    resp = api.get("/Reports/TrialBalance", params={"date": "31/03/2031"})
    assert resp.status_code == 400


def test_earlier_years_profit_is_in_retained_earnings(sb, supplier):
    api = Api(sb, sb.tokens(scope=REPORT_SCOPE))
    before, _report = balances(api, "2033-03-31")
    create(api, bill(supplier["ContactID"], line(50.0), Status="AUTHORISED", Date="2032-06-01"))
    after, report = balances(api, "2033-03-31")
    assert delta(after, before, "300") == 0, "last year's expense is not in this year's"
    assert delta(after, before, "960") == Decimal("50.00")
    assert delta(after, before, "800") == Decimal("-57.50")
    summary = report["Rows"][-1]["Rows"][0]
    values = [Decimal(c["Value"]) for c in summary["Cells"][1:]]
    assert values[2] == values[3]
