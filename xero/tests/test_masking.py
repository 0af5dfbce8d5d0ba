"""Nothing secret may reach a sync log or python logging."""

import json

from xero.masking import MASK, mask

ACCESS = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJl"


def test_mask_dict_keys_and_nested_values():
    data = {
        "access_token": "abc",
        "refresh_token": "def",
        "client_secret": "s3cr3t",
        "code": "authcode",
        "code_verifier": "v-8c1f2e",
        "headers": {"Authorization": "Bearer abc", "xero-tenant-id": "t-1"},
        "Invoices": [{"InvoiceNumber": "INV-1", "Reference": "Bearer token123"}],
        "expires_in": 1800,
    }
    out = mask(data)
    text = json.dumps(out)
    for secret in ("abc", "def", "s3cr3t", "authcode", "v-8c1f2e", "token123"):
        assert secret not in text
    assert out["headers"]["xero-tenant-id"] == "t-1"
    assert out["Invoices"][0]["InvoiceNumber"] == "INV-1"
    assert out["expires_in"] == 1800
    assert data["access_token"] == "abc", "mask() must not change its input"


def test_mask_strings_forms_json_and_jwts():
    form = "grant_type=refresh_token&refresh_token=r-123&client_secret=xyz&code=c1"
    assert mask(form) == (
        f"grant_type=refresh_token&refresh_token={MASK}&client_secret={MASK}&code={MASK}"
    )
    body = b'{"access_token":"a-1","expires_in":1800,"refresh_token":"r-2","scope":"x"}'
    masked = mask(body)
    assert "a-1" not in masked and "r-2" not in masked and '"expires_in":1800' in masked
    assert mask("Authorization: Basic dXNlcjpwYXNz") == f"Authorization: Basic {MASK}"
    assert ACCESS not in mask(f"token is {ACCESS} here")


def test_xero_code_fields_stay_readable():
    payload = {
        "Account": {"Code": "090"},
        "LineItems": [{"ItemCode": "BOLT", "AccountCode": "429"}],
    }
    assert mask(payload) == payload
    text = '{"Code": "090", "ItemCode": "BOLT"} ?where=Code=="090"'
    assert mask(text) == text
    assert (
        mask('{"code": "abc", "Access_Token": "x"}')
        == f'{{"code": "{MASK}", "Access_Token": "{MASK}"}}'
    )


def test_mask_header_tuples_and_truncation():
    assert mask([("Authorization", "Bearer x"), ("Accept", "json")]) == [
        ("Authorization", MASK),
        ("Accept", "json"),
    ]
    long = "x" * 5000
    assert len(mask(long, max_len=100)) < 130
