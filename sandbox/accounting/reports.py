"""/Reports/TrialBalance: account balances at a date, computed from the documents and
payments the sandbox holds, in Xero's ``ReportWithRows`` shape.

The sandbox keeps no general ledger: each approved (AUTHORISED/PAID) invoice, bill or
credit note dated on or before the report date posts its total to Accounts Receivable
(DEBTORS) or Accounts Payable (CREDITORS), its lines to their accounts and its tax to the
GST account; each AUTHORISED payment moves its amount between the bank account and
AR/AP. Amounts are in the base currency (foreign amounts divided by CurrencyRate).

Columns as Xero's: Debit/Credit = movement in the month of the report date; YTD
Debit/YTD Credit = the balance at the date (balance-sheet accounts: all years;
revenue/expense: since the start of the financial year, earlier years' profit being in
Retained Earnings)."""

import uuid
from collections import defaultdict
from datetime import date
from decimal import Decimal

from .. import rules
from ..xdates import parse_date
from .base import bad_request, envelope, json_response

POSTED = ("AUTHORISED", "PAID")
SECTIONS = (
    ("Revenue", ("REVENUE",)),
    ("Expenses", ("EXPENSE",)),
    ("Assets", ("ASSET",)),
    ("Liabilities", ("LIABILITY",)),
    ("Equity", ("EQUITY",)),
)
# sign: +1 the document's total is a debit on AR/AP, -1 a credit
DOC_SIDES = {
    "ACCREC": ("DEBTORS", 1),
    "ACCPAY": ("CREDITORS", -1),
    "ACCRECCREDIT": ("DEBTORS", -1),
    "ACCPAYCREDIT": ("CREDITORS", 1),
}
PAYMENT_SIDES = {  # debit on AR/AP: +1 (the bank is credited)
    "ACCRECPAYMENT": ("DEBTORS", -1),
    "ACCPAYPAYMENT": ("CREDITORS", 1),
    "ARCREDITPAYMENT": ("DEBTORS", 1),
    "APCREDITPAYMENT": ("CREDITORS", -1),
}


def _system_account(org, system):
    return next(
        (a for a in org.coll("Accounts").values() if a.get("SystemAccount") == system), None
    )


def _base(amount, rate):
    rate = rules.dec(rate, "1") or rules.dec("1")
    return rules.dec(amount) / rate


def _postings(org, upto):
    """[(day, AccountID, signed debit amount in base currency)] up to ``upto``."""
    out = []
    by_code = {a["Code"]: a for a in org.coll("Accounts").values() if a.get("Code")}
    gst = _system_account(org, "GST")
    rounding = _system_account(org, "ROUNDING")
    for coll in ("Invoices", "CreditNotes"):
        for doc in org.coll(coll).values():
            side = DOC_SIDES.get(doc.get("Type"))
            day = parse_date(doc.get("Date"))
            if doc.get("Status") not in POSTED or side is None or day is None or day > upto:
                continue
            control = _system_account(org, side[0])
            rate = doc.get("CurrencyRate")
            total = rules.q(_base(doc.get("Total"), rate))
            sign = side[1]
            out.append((day, control["AccountID"], sign * total))
            rest = -sign * total
            inclusive = doc.get("LineAmountTypes") == "Inclusive"
            for line in doc.get("LineItems") or []:
                account = by_code.get(line.get("AccountCode"))
                if account is None:
                    continue
                net = rules.dec(line.get("LineAmount"))
                if inclusive:
                    net -= rules.dec(line.get("TaxAmount"))
                net = rules.q(_base(net, rate))
                out.append((day, account["AccountID"], -sign * net))
                rest += sign * net
            tax = rules.q(_base(doc.get("TotalTax"), rate))
            if tax and gst is not None:
                out.append((day, gst["AccountID"], -sign * tax))
                rest += sign * tax
            if rest and rounding is not None:
                out.append((day, rounding["AccountID"], rest))
    for pay in org.coll("Payments").values():
        side = PAYMENT_SIDES.get(pay.get("PaymentType"))
        day = parse_date(pay.get("Date"))
        if pay.get("Status") != "AUTHORISED" or side is None or day is None or day > upto:
            continue
        control = _system_account(org, side[0])
        amount = rules.q(_base(pay.get("Amount"), pay.get("CurrencyRate")))
        out.append((day, control["AccountID"], side[1] * amount))
        bank = (pay.get("Account") or {}).get("AccountID")
        if bank:
            out.append((day, bank, -side[1] * amount))
    return out


def _year_start(org, day):
    """First day of the financial year holding ``day``."""
    end_month = int(org.info.get("FinancialYearEndMonth") or 12)
    start_month = end_month % 12 + 1
    year = day.year if day.month >= start_month else day.year - 1
    return date(year, start_month, 1)


def _money(value):
    return f"{rules.q(value):.2f}"


def _cells(account, amounts):
    label = "{} ({})".format(account.get("Name"), account.get("Code"))
    attrs = [{"Value": account["AccountID"], "Id": "account"}]
    cells = [{"Value": label, "Attributes": attrs}]
    for value in amounts:
        cells.append({"Value": value, "Attributes": list(attrs)})
    return cells


def _split(value):
    """(debit, credit) cell values of a signed amount, as Xero prints them."""
    if value >= 0:
        return _money(value), ""
    return "", _money(-value)


def trial_balance(ctx):
    raw = ctx.args.get("date")
    try:
        upto = parse_date(raw) if raw else parse_date(ctx.clock.now_dt().date().isoformat())
    except ValueError:
        raise bad_request(f"'{raw}' is not a valid date") from None
    org = ctx.org
    month_start = upto.replace(day=1)
    year_start = _year_start(org, upto)
    accounts = org.coll("Accounts")
    retained = _system_account(org, "RETAINEDEARNINGS")
    month, ytd = defaultdict(Decimal), defaultdict(Decimal)
    for day, account_id, amount in _postings(org, upto):
        account = accounts.get(account_id)
        if account is None:
            continue
        if day >= month_start:
            month[account_id] += amount
        if account.get("Class") in ("REVENUE", "EXPENSE") and day < year_start:
            # earlier years' profit is in Retained Earnings
            if retained is not None:
                ytd[retained["AccountID"]] += amount
            continue
        ytd[account_id] += amount
    header = {
        "RowType": "Header",
        "Cells": [{"Value": v} for v in ("Account", "Debit", "Credit", "YTD Debit", "YTD Credit")],
    }
    rows, totals = [header], [Decimal(0)] * 4
    for title, classes in SECTIONS:
        section = []
        wanted = [
            a
            for a in accounts.values()
            if a.get("Class") in classes and (month.get(a["AccountID"]) or ytd.get(a["AccountID"]))
        ]
        for account in sorted(wanted, key=lambda a: a.get("Code") or ""):
            m_dr, m_cr = _split(month[account["AccountID"]])
            y_dr, y_cr = _split(ytd[account["AccountID"]])
            for i, value in enumerate((m_dr, m_cr, y_dr, y_cr)):
                totals[i] += rules.dec(value)
            section.append({"RowType": "Row", "Cells": _cells(account, (m_dr, m_cr, y_dr, y_cr))})
        if section:
            rows.append({"RowType": "Section", "Title": title, "Rows": section})
    rows.append(
        {
            "RowType": "Section",
            "Title": "",
            "Rows": [
                {
                    "RowType": "SummaryRow",
                    "Cells": [{"Value": "Total"}] + [{"Value": _money(t)} for t in totals],
                }
            ],
        }
    )
    report_date = f"{upto.day} {upto.strftime('%B %Y')}"
    report = {
        "ReportID": "TrialBalance",
        "ReportName": "Trial Balance",
        "ReportType": "TrialBalance",
        "ReportTitles": ["Trial Balance", org.info.get("Name", ""), f"As at {report_date}"],
        "ReportDate": report_date,
        "UpdatedDateUTC": ctx.stamp(),
        "Fields": [],
        "Rows": rows,
    }
    body = envelope(ctx, "Reports", [report])
    body["Id"] = str(uuid.uuid4())
    return json_response(200, body)


ROUTES = [("/Reports/TrialBalance", ["GET"], trial_balance)]
