"""Transient failures are retried with the same Idempotency-Key: nothing is duplicated."""

import time

import pytest

from xero import XeroTransientError

from .conftest import CONTACT, DEMO_ORG, Stopwatch, bill, count_by_number, make_client, writes

FAULTS = [
    ("500", {}),
    ("503", {}),
    ("hang", {"hang_seconds": 4}),
    ("reset", {}),
    ("lost_response", {}),
]


@pytest.mark.parametrize(("kind", "options"), FAULTS, ids=[k for k, _ in FAULTS])
def test_write_retried_once_without_duplicate(sb, connected, demo_client, kind, options):
    tenant = connected[1][DEMO_ORG]
    demo_client.timeout = (5, 2)  # the hang outlasts the read timeout
    number = f"BILL-{kind}"
    since = sb.last_seq()
    sb.fault(kind, method="PUT", path="/Invoices$", **options)
    with Stopwatch() as watch:
        [result] = demo_client.send_batch(
            "invoices", [("move/1", bill(number, CONTACT))], create_only=True
        )
    assert result.ok, result.errors
    if kind == "hang":  # the hung request is still asleep in Xero: let it finish too
        deadline = time.monotonic() + 10
        while len(writes(sb.calls(since))) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
    stored = [i for i in sb.records(tenant, "Invoices") if i["InvoiceNumber"] == number]
    assert len(stored) == 1, f"{kind}: the bill exists exactly once in Xero"
    assert stored[0]["InvoiceID"] == result.xero_id
    attempts = writes(sb.calls(since))
    assert len(attempts) >= 2 and len({c["idempotency_key"] for c in attempts}) == 1
    outcomes = [e["outcome"] for e in demo_client.events if e["operation"] == "create_invoices"]
    assert outcomes[0] == "retrying" and outcomes[-1] == "ok"
    print(f"\n{kind}: {len(attempts)} server hits, recovered in {watch.seconds:.2f}s")


@pytest.mark.parametrize("kind", ["500", "503", "reset"])
def test_reads_are_retried_too(sb, demo_client, kind):
    sb.fault(kind, method="GET", path="/Organisation$")
    assert demo_client.get_organisation()["Name"] == DEMO_ORG


def test_resending_a_chunk_after_a_lost_answer_creates_nothing(sb, connected, demo_client):
    tenant = connected[1][DEMO_ORG]
    records = [(f"move/{i}", bill(f"BILL-R{i}", CONTACT)) for i in range(3)]
    sb.fault("lost_response", method="POST", path="/Invoices$", count=10)
    demo_client.max_retries = 0  # the answer is lost for good this time
    [first, *_] = demo_client.send_batch("invoices", records)
    assert not first.ok and first.retryable and first.exception.maybe_committed
    assert count_by_number(sb, tenant, "BILL-R0") == 1, "Xero did create it"
    sb.clear_faults()
    # The next cron run, in another process: a new client derives the same keys.
    fresh = make_client(sb, tenant, demo_client.token_store)
    again = fresh.send_batch("invoices", records)
    assert all(r.ok for r in again)
    for i in range(3):
        assert count_by_number(sb, tenant, f"BILL-R{i}") == 1
    assert again[0].xero_id == sb.records(tenant, "Invoices")[0]["InvoiceID"]


def test_persistent_outage_gives_up_quickly_and_says_so(sb, demo_client):
    since = sb.last_seq()
    sb.fault("503", count=50)
    with Stopwatch() as watch, pytest.raises(XeroTransientError) as err:
        demo_client.get_organisation()
    assert err.value.retryable and err.value.status == 503
    assert watch.seconds < demo_client.retry_budget + 1
    assert "retried" in err.value.user_message()
    assert len(sb.calls(since)) == demo_client.max_retries + 1
