"""In-memory state of the emulated Xero: organisations, their records, OAuth apps,
users, tokens and connections. One re-entrant lock guards all of it."""

import copy
import json
import threading
import uuid
from datetime import UTC, datetime
from pathlib import Path

from . import seed_gen

ID_FIELDS = {
    "Accounts": "AccountID",
    "TaxRates": "TaxType",
    "TrackingCategories": "TrackingCategoryID",
    "Currencies": "Code",
    "Contacts": "ContactID",
    "Items": "ItemID",
    "Invoices": "InvoiceID",
    "CreditNotes": "CreditNoteID",
    "PurchaseOrders": "PurchaseOrderID",
    "Payments": "PaymentID",
}
COLLECTIONS = list(ID_FIELDS)


def new_id():
    return str(uuid.uuid4())


def load_seed(seed):
    if seed in (None, "demo"):
        return json.loads(seed_gen.DEMO_PATH.read_text())
    if seed == "empty":
        return seed_gen.empty_seed()
    return json.loads(Path(seed).read_text())


class Org:
    def __init__(self, data):
        self.info = dict(data["Organisation"])
        self.tenant_id = self.info["OrganisationID"]
        self.name = self.info["Name"]
        self.records = {}
        for coll in COLLECTIONS:
            key = ID_FIELDS[coll]
            self.records[coll] = {r[key]: copy.deepcopy(r) for r in data.get(coll, [])}
        self.history = {}  # document id -> list of history records
        self.attachments = {}  # document id -> {filename: {"meta": {...}, "data": bytes}}
        self.counters = {"INV": 0, "CN": 0, "PO": 0}
        for inv in self.records["Invoices"].values():
            self._bump("INV", inv.get("InvoiceNumber"))
        for po in self.records["PurchaseOrders"].values():
            self._bump("PO", po.get("PurchaseOrderNumber"))
        for cn in self.records["CreditNotes"].values():
            self._bump("CN", cn.get("CreditNoteNumber"))

    def _bump(self, prefix, number):
        if number and number.startswith(prefix + "-") and number[len(prefix) + 1 :].isdigit():
            self.counters[prefix] = max(self.counters[prefix], int(number[len(prefix) + 1 :]))

    def next_number(self, prefix):
        self.counters[prefix] += 1
        return f"{prefix}-{self.counters[prefix]:04d}"

    def coll(self, name):
        return self.records[name]

    def currencies(self):
        return set(self.records["Currencies"])

    def account_by_code(self, code):
        for acc in self.records["Accounts"].values():
            if acc.get("Code") == code:
                return acc
        return None


class State:
    def __init__(self, seed="demo"):
        self.lock = threading.RLock()
        self.reset(seed)

    def reset(self, seed="demo"):
        data = load_seed(seed)
        with self.lock:
            self.seed = seed
            self.orgs = {}
            for org_data in data["organisations"]:
                org = Org(org_data)
                self.orgs[org.tenant_id] = org
            # An app without a creation date was created today, as a new app would be.
            today = datetime.now(UTC).date().isoformat()
            self.apps = {
                a["client_id"]: dict({"created": today}, **a) for a in data.get("apps", [])
            }
            self.users = {u["user_id"]: dict(u) for u in data.get("users", [])}
            self.access_tokens = {}
            self.refresh_tokens = {}
            self.codes = {}
            self.connections = {}  # connection id -> connection dict (+ "_user", "_app")
            self.idempotency = {}

    def org(self, tenant_id):
        return self.orgs.get(tenant_id)

    def user_by_email(self, email):
        for user in self.users.values():
            if user["email"].lower() == (email or "").lower():
                return user
        return None
