"""Requests Xero itself refuses: escaped quotes in `where`, over-long URLs."""

from urllib.parse import urlencode

PREFIX_LEN = len("https://api.xero.com/api.xro/2.0")


def test_where_with_an_escaped_double_quote_is_a_parse_error(api):
    resp = api.get("/Contacts", params={"where": 'Name=="Acme \\"Global\\" Ltd"'})
    assert resp.status_code == 400
    assert resp.json()["Type"] == "QueryParseException"


def test_where_with_non_ascii_text_matches(api):
    name = "Société Générale 東京"
    api.ok("PUT", "/Contacts", {"Contacts": [{"Name": name}]})
    found = api.ok("GET", "/Contacts", params={"where": f'Name=="{name}"'})["Contacts"]
    assert [c["Name"] for c in found] == [name]


def _padded_query(total_length):
    """A /Contacts query whose URL, as Xero sees it, is ``total_length`` long."""
    base = PREFIX_LEN + len("/Contacts?") + len(urlencode({"searchTerm": ""}))
    return {"searchTerm": "a" * (total_length - base)}


def test_url_over_xero_limit_gets_a_404_page_not_an_api_answer(api):
    ok = api.get("/Contacts", params=_padded_query(2090))
    assert ok.status_code == 200
    resp = api.get("/Contacts", params=_padded_query(2091))
    assert resp.status_code == 404
    assert resp.headers["Content-Type"].startswith("text/html")
    assert "cannot be found" in resp.text


def test_method_on_an_empty_optional_field_fails_unless_guarded(api):
    # Seeded contacts have no AccountNumber: calling a method on it fails the call.
    resp = api.get("/Contacts", params={"where": 'AccountNumber.Contains("7")'})
    assert resp.status_code == 500
    assert resp.json()["Type"] == "UnknownErrorException"
    api.ok("PUT", "/Contacts", {"Contacts": [{"Name": "Numbered Ltd", "AccountNumber": "A-77"}]})
    guarded = 'AccountNumber != null AND AccountNumber.Contains("77")'
    found = api.ok("GET", "/Contacts", params={"where": guarded})["Contacts"]
    assert [c["Name"] for c in found] == ["Numbered Ltd"]
