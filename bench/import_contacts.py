"""Import benchmark: 10,000 Xero contacts and 5,000 items brought in the way the
wizard's "Import all" does it (queued, batches in their own transactions)."""

import os
import time
import uuid

from common import DEMO_TENANT, Meter, figure, note, profiled

from odoo import SUPERUSER_ID, api

CONTACTS = int(os.environ.get("XC_BENCH_CONTACTS", 10000))
ITEMS = int(os.environ.get("XC_BENCH_ITEMS", 5000))
STAMP = "/Date(1767225600000+0000)/"


def contact(i):
    return {
        "ContactID": str(uuid.uuid5(uuid.NAMESPACE_URL, f"bench-contact-{i}")),
        "ContactNumber": f"BC{i:05d}",
        "ContactStatus": "ACTIVE",
        "Name": f"Imported Supplier {i:05d} Pty",
        "EmailAddress": f"ap{i}@supplier{i}.example.com",
        "Addresses": [
            {
                "AddressType": "STREET",
                "AddressLine1": f"{i} Bench Street",
                "City": "Wellington",
                "PostalCode": f"{6000 + i % 999}",
                "Country": "NZ",
            }
        ],
        "Phones": [{"PhoneType": "DEFAULT", "PhoneNumber": f"555-{i:05d}"}],
        "IsSupplier": True,
        "IsCustomer": False,
        "UpdatedDateUTC": STAMP,
    }


def item(i):
    return {
        "ItemID": str(uuid.uuid5(uuid.NAMESPACE_URL, f"bench-item-{i}")),
        "Code": f"BENCH-{i:05d}",
        "Name": f"Bench item {i:05d}",
        "Description": f"Bench item {i:05d} for sale",
        "PurchaseDescription": f"Bench item {i:05d}",
        "IsSold": True,
        "IsPurchased": True,
        "IsTrackedAsInventory": False,
        "SalesDetails": {"UnitPrice": 12.5, "AccountCode": "200", "TaxType": "OUTPUT"},
        "PurchaseDetails": {"UnitPrice": 8.25, "AccountCode": "300", "TaxType": "INPUT"},
        "UpdatedDateUTC": STAMP,
    }


def seed(sandbox):
    for collection, make, count in (("Contacts", contact, CONTACTS), ("Items", item, ITEMS)):
        for start in range(0, count, 1000):
            rows = [make(i) for i in range(start, min(count, start + 1000))]
            sandbox.put_records(DEMO_TENANT, collection, rows)


def rss_mb(field):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


def reset_peak_rss():
    """Linux: restart the peak RSS (VmHWM) count from the current size."""
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
    except OSError:
        note("cannot reset the peak RSS counter: the peak may include earlier phases")


def import_all(registry, connection_id, object_type):
    """The wizard's "Import all", then the queue cron until the import is done."""
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        connection = env["xero.connection"].browse(connection_id)
        state = env["xero.sync.state"]._get(connection, object_type)
        state._queue_import(None, 0)
        state_id = state.id
    runs = 0
    while True:
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            state = env["xero.sync.state"].browse(state_id)
            if not state.import_pending:
                return state.import_done, state.import_errors
            state._import_next_batch()
        runs += 1
        if runs > 1000:
            raise RuntimeError(f"{object_type}: import does not finish")


def bench(registry, sandbox, waits, connection_id):
    t0 = time.monotonic()
    seed(sandbox)
    note(
        f"sandbox seeded with {CONTACTS} contacts and {ITEMS} items in "
        f"{time.monotonic() - t0:.0f} s"
    )
    rss0 = rss_mb("VmRSS")
    reset_peak_rss()
    refused = 0
    with Meter(sandbox, waits) as m:
        done, errors = profiled(import_all, registry, connection_id, "contact")
    note(
        f"contacts: {done} imported, {len(m.calls)} calls, wall {m.wall:.1f} s, "
        f"errors: {(errors or '')[:300]}"
    )
    refused += m.refused
    figure("import_contacts_imported", done)
    figure("import_contacts_calls", len(m.accepted_calls))
    figure("import_contacts_10k_seconds", m.xero_seconds * 10000 / max(1, done))
    figure("import_contacts_queries_per_record", m.queries / max(1, done))
    figure("import_contacts_cpu_ms_per_record", m.cpu * 1000 / max(1, done))
    with Meter(sandbox, waits) as m:
        done, errors = import_all(registry, connection_id, "item")
    note(
        f"items: {done} imported, {len(m.calls)} calls, wall {m.wall:.1f} s, "
        f"errors: {(errors or '')[:300]}"
    )
    refused += m.refused
    figure("import_items_imported", done)
    figure("import_items_calls", len(m.accepted_calls))
    figure("import_items_seconds", m.xero_seconds)
    figure("import_items_queries_per_record", m.queries / max(1, done))
    figure("import_peak_rss_mb", rss_mb("VmHWM") - rss0)
    return refused
