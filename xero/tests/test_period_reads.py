"""Reading a period from Xero for a reconciliation: large pages in a stable order, the
Trial Balance report, and a plain error when the reports scope was not granted."""

from datetime import date
from decimal import Decimal

import pytest

from xero import DEFAULT_SCOPES, MemoryTokenStore
from xero.endpoints import date_where
from xero.errors import XeroScopeMissing
from xero.mapping.report import balance_of, document_figures, trial_balance_rows

from .conftest import CONTACT, DEMO_ORG, bill, consent, make_client, oauth_for

NOV_1, NOV_30 = date(2026, 11, 1), date(2026, 11, 30)


def test_date_where_is_xero_syntax():
    assert date_where(NOV_1, NOV_30) == (
        "Date >= DateTime(2026, 11, 01) AND Date <= DateTime(2026, 11, 30)"
    )
    assert date_where(None, NOV_30) == "Date <= DateTime(2026, 11, 30)"


def test_period_pages_in_a_stable_order(sb, connected, demo_client):
    records = [(f"k{i}", bill(f"PER-{i}", CONTACT, Date="2026-11-15")) for i in range(7)]
    records.append(("out", bill("PER-OUT", CONTACT, Date="2026-12-02")))
    demo_client.send_batch("invoices", records)
    since = sb.last_seq()
    pages = list(demo_client.iter_period("invoices", NOV_1, NOV_30, page_size=3))
    numbers = [r["InvoiceNumber"] for page in pages for r in page]
    assert sorted(n for n in numbers if n.startswith("PER-")) == [f"PER-{i}" for i in range(7)]
    ids = [r["InvoiceID"] for page in pages for r in page]
    assert ids == sorted(ids) and len(ids) == len(set(ids))
    calls = sb.calls(since)
    assert len(calls) == len(pages) >= 3
    assert all("pageSize=3" in c["query"] and "summaryOnly=true" in c["query"] for c in calls)
    assert all("LineItems" not in r for page in pages for r in page), "summaries only"
    figures = document_figures("invoices", pages[0][0])
    assert figures["date"] and figures["total"] == Decimal(str(pages[0][0]["Total"]))


def client_with(sb, scopes):
    oauth = oauth_for(sb, scopes=scopes)
    request = oauth.authorization_request()
    params = consent(request.url)
    token = oauth.exchange_code(params["code"], request.code_verifier)
    tenant = {c["tenantName"]: c["tenantId"] for c in oauth.connections(token)}[DEMO_ORG]
    return make_client(sb, tenant, MemoryTokenStore(token))


def test_trial_balance_and_parsed_rows(sb):
    demo_client = client_with(sb, DEFAULT_SCOPES + " accounting.reports.trialbalance.read")
    [(_key, payload)] = [("b", bill("TB-1", CONTACT, Status="AUTHORISED", Date="2026-11-20"))]
    demo_client.send_batch("invoices", [("b", payload)])
    rows = trial_balance_rows(demo_client.get_trial_balance(NOV_30))
    payable, picked = balance_of(rows, codes=["800"])
    assert [r["name"] for r in picked] == ["Accounts Payable"]
    assert picked[0]["account_id"] and payable <= Decimal("-115.00")
    by_id, _ = balance_of(rows, account_ids=[picked[0]["account_id"].upper()])
    assert by_id == payable


def test_trial_balance_without_the_reports_scope(sb):
    oauth = oauth_for(sb, scopes="offline_access accounting.invoices accounting.settings")
    request = oauth.authorization_request()
    params = consent(request.url)
    token = oauth.exchange_code(params["code"], request.code_verifier)
    tenant = {c["tenantName"]: c["tenantId"] for c in oauth.connections(token)}[DEMO_ORG]
    client = make_client(sb, tenant, MemoryTokenStore(token))
    with pytest.raises(XeroScopeMissing) as caught:
        client.get_trial_balance(NOV_30)
    assert "accounting.reports.read" in caught.value.user_message()
    assert client.get_organisation()["Name"] == DEMO_ORG, "the connection still works"
