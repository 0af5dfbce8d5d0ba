"""Every request the client builds is one real Xero accepts: `where` filters its
parser reads, URLs within its length limit, and 404s told apart."""

import uuid
from datetime import datetime
from urllib.parse import quote

import pytest

from xero import XeroNotFound, XeroRequestTooLong, XeroResponseError, XeroUnclearNotFound
from xero.client import URL_BUDGET

XERO_ORIGIN = "https://api.xero.com"


def _url_length(call):
    query = "?" + call["query"] if call["query"] else ""
    return len(XERO_ORIGIN) + len(quote(call["path"])) + len(query)


def _reads(sb, since, path):
    return [c for c in sb.calls(since) if c["method"] == "GET" and c["path"].endswith(path)]


def _create_contacts(client, names):
    results = client.send_batch("contacts", [(n, {"Name": n}) for n in names])
    assert all(r.ok for r in results), [r.errors for r in results if not r.ok]
    return {r.key: r.xero_id for r in results}


def test_names_with_double_quotes_are_found_without_an_escaped_quote(sb, demo_client):
    names = ['Acme "Global" Ltd', "Back\\slash & Co", 'Quote" Only']
    ids = _create_contacts(demo_client, [*names, "Acme Global Ltd", "Plain Supplier"])
    since = sb.last_seq()
    found = demo_client.find_contacts([*names, "Plain Supplier"], ["NOT-A-NUMBER"])
    assert sorted(c["ContactID"] for c in found) == sorted(
        ids[n] for n in [*names, "Plain Supplier"]
    )
    calls = _reads(sb, since, "/Contacts")
    assert calls and all(c["status"] == 200 for c in calls)
    assert not any("%5C%22" in c["query"] or '\\"' in c["query"] for c in calls)


@pytest.mark.parametrize(
    "make_name",
    [
        lambda i: f"東京都港区株式会社サプライヤー第{i:02d}号取引先",
        lambda i: f"Société Générale d'Équipements Électriques Française n°{i:02d}",
    ],
)
def test_lookup_of_25_long_non_ascii_names_stays_within_the_url_budget(sb, demo_client, make_name):
    names = [make_name(i) for i in range(25)]
    ids = _create_contacts(demo_client, names)
    since = sb.last_seq()
    found = demo_client.find_contacts(names, [f"VAT-{i}" for i in range(25)])
    assert sorted(c["ContactID"] for c in found) == sorted(ids.values())
    calls = _reads(sb, since, "/Contacts")
    assert len(calls) > 1, "split over several calls"
    assert all(c["status"] == 200 for c in calls)
    assert max(_url_length(c) for c in calls) <= URL_BUDGET


def test_a_name_too_long_for_any_url_is_searched_and_matched_exactly(sb, demo_client):
    name = "長" * 250  # 2,250 encoded characters on its own
    ids = _create_contacts(demo_client, [name, "長" * 249])
    since = sb.last_seq()
    found = demo_client.find_contacts([name])
    assert [c["ContactID"] for c in found] == [ids[name]]
    assert max(_url_length(c) for c in _reads(sb, since, "/Contacts")) <= URL_BUDGET


def test_fifty_credit_note_ids_are_read_in_calls_xero_accepts(sb, demo_client):
    ids = [str(uuid.uuid4()) for _ in range(50)]
    since = sb.last_seq()
    assert demo_client.get_by_ids("credit_notes", ids) == []
    calls = _reads(sb, since, "/CreditNotes")
    assert len(calls) > 1
    assert all(c["status"] == 200 for c in calls)
    assert max(_url_length(c) for c in calls) <= URL_BUDGET
    assert sum(c["query"].count("CreditNoteID") for c in calls) == 50


@pytest.mark.parametrize("kind", ["contacts", "invoices"])
def test_long_id_lists_are_split(sb, demo_client, kind):
    ids = [str(uuid.uuid4()) for _ in range(120)]
    since = sb.last_seq()
    assert list(demo_client.get_by_ids(kind, ids)) == []
    path = "/Contacts" if kind == "contacts" else "/Invoices"
    calls = _reads(sb, since, path)
    assert len(calls) >= 3
    assert all(c["status"] == 200 for c in calls)
    assert max(_url_length(c) for c in calls) <= URL_BUDGET


def test_an_over_long_url_is_not_sent(sb, demo_client):
    since = sb.last_seq()
    with pytest.raises(XeroRequestTooLong):
        demo_client.get_contacts(search_term="x" * 2100)
    assert _reads(sb, since, "/Contacts") == []


def test_only_xeros_404_for_one_record_means_gone(sb, demo_client):
    with pytest.raises(XeroNotFound):
        demo_client.get_record("invoices", str(uuid.uuid4()))
    sb.fault("404_html", path="/Invoices/", method="GET")
    with pytest.raises(XeroUnclearNotFound) as caught:
        demo_client.get_record("invoices", str(uuid.uuid4()))
    assert not isinstance(caught.value, XeroNotFound)
    assert isinstance(caught.value, XeroResponseError)
    # A 404 on a list is not about any record either.
    with pytest.raises(XeroUnclearNotFound):
        demo_client.request("get_nothing", "GET", "/NoSuchCollection")


def test_incremental_reads_are_ordered_like_their_cursor(sb, demo_client):
    since = sb.last_seq()
    demo_client.get_invoices(page=1, if_modified_since=datetime(2020, 1, 1))
    demo_client.get_contacts(page=1, if_modified_since=datetime(2020, 1, 1))
    demo_client.get_payments(page=1, if_modified_since=datetime(2020, 1, 1))
    calls = [c for c in sb.calls(since) if c["method"] == "GET"]
    assert len(calls) == 3
    assert all("order=UpdatedDateUTC+ASC" in c["query"] for c in calls)
