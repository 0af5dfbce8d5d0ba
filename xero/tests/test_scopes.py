"""Scopes asked of Xero per feature, granular or broad, and what a grant covers."""

from xero import scopes


def test_default_request_is_granular_with_identity_scopes():
    asked = scopes.requested_scopes().split()
    assert {"offline_access", "openid", "accounting.invoices", "accounting.payments"} <= set(asked)
    assert not set(asked) & scopes.BROAD_SCOPES
    assert len(asked) == len(set(asked))


def test_broad_request_for_an_app_created_before_march_2026():
    asked = scopes.requested_scopes(broad=True).split()
    assert "accounting.transactions" in asked
    assert "accounting.invoices" not in asked and "accounting.payments" not in asked
    assert scopes.broad_equivalent("accounting.reports.trialbalance.read") == (
        "accounting.reports.read"
    )


def test_custom_connection_asks_no_identity_scope():
    asked = scopes.requested_scopes(identity=False).split()
    assert not set(asked) & set(scopes.IDENTITY_SCOPES)


def test_missing_scopes_per_feature():
    granted = ["accounting.invoices", "accounting.contacts", "accounting.settings"]
    assert scopes.missing_scopes(granted, ["export", "payments"]) == {
        "payments": ["accounting.payments"]
    }
    assert scopes.missing_scopes(["accounting.transactions"], ["payments"]) == {}
    # a write scope covers its read-only variant
    assert scopes.covered(["accounting.invoices"], "accounting.invoices.read")
    assert not scopes.covered(["accounting.invoices.read"], "accounting.invoices")


def test_a_new_feature_is_one_row(monkeypatch):
    table = dict(scopes.FEATURE_SCOPES, month_end=("accounting.reports.trialbalance.read",))
    monkeypatch.setattr(scopes, "FEATURE_SCOPES", table)
    assert "accounting.reports.trialbalance.read" in scopes.requested_scopes().split()
    assert scopes.missing_scopes(["accounting.reports.read"], ["month_end"]) == {}
