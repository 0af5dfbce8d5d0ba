"""429s end the call at once; the limiter keeps a burst under Xero's limits."""

import time
from datetime import UTC, datetime

import pytest

from xero import MemoryTokenStore, RateLimiter, XeroRateLimited

from .conftest import DEMO_ORG, Sb, Stopwatch, connect, make_client


def test_429_raises_quickly_with_retry_time(sb, demo_client):
    sb.fault("429", retry_after=3600, problem="day")
    max_sleep = demo_client.limiter.max_sleep
    with Stopwatch() as watch, pytest.raises(XeroRateLimited) as err:
        demo_client.get_organisation()
    print(f"\n429 (Retry-After 3600, day) raised after {watch.seconds * 1000:.0f} ms")
    assert watch.seconds < max_sleep + 1
    exc = err.value
    assert exc.problem == "day" and exc.retryable
    wait = (exc.retry_at - datetime.now(UTC)).total_seconds()
    assert 3500 < wait <= 3601  # rounded up to a whole second
    assert "Xero rate limit reached (day), retrying at" in exc.user_message()
    # The organisation stays blocked: the next call does not even reach Xero.
    since = sb.last_seq()
    with Stopwatch() as again, pytest.raises(XeroRateLimited):
        demo_client.get_accounts()
    assert sb.calls(since) == [] and again.seconds < 0.5
    assert [e["outcome"] for e in demo_client.events][-2:] == ["rate_limited", "rate_limited"]


def test_short_429_is_waited_out(sb, demo_client):
    sb.fault("429", retry_after=1, problem="minute")
    with Stopwatch() as watch:
        assert demo_client.get_organisation()["Name"] == DEMO_ORG
    assert 1 <= watch.seconds < demo_client.limiter.max_sleep


@pytest.fixture(scope="module")
def fast_sandbox():
    """A second sandbox whose clock runs 60x faster: one sandbox minute = one real second."""
    sandbox = pytest.importorskip("sandbox", reason="sandbox/ is not merged into this branch")
    server = sandbox.Sandbox(seed="demo", time_scale=60, min_limit=60)
    server.start()
    yield server
    server.stop()


def test_burst_of_200_stays_under_60_per_minute(fast_sandbox):
    sb = Sb(fast_sandbox.url)
    sb.reset("demo")
    token, tenants = connect(sb)
    limiter = RateLimiter(time_scale=60)  # max_sleep 5 sandbox-seconds
    client = make_client(sb, tenants[DEMO_ORG], MemoryTokenStore(token), limiter=limiter)
    since = sb.last_seq()
    with Stopwatch() as watch:
        for _ in range(200):
            client.get_currencies()
    calls = [c for c in sb.calls(since) if c["path"].startswith("/api.xro/")]
    assert len(calls) == 200 and all(c["status"] == 200 for c in calls), "no 429"
    stamps = [datetime.fromisoformat(c["ts"]).timestamp() for c in calls]
    busiest = max(sum(1 for s in stamps[i:] if s < start + 60) for i, start in enumerate(stamps))
    span = (stamps[-1] - stamps[0]) / 60
    print(
        f"\nburst of 200: {watch.seconds:.1f}s real, {span:.1f} sandbox minutes, "
        f"busiest 60 s window {busiest} calls, 0 x 429"
    )
    assert busiest <= 60
    assert watch.seconds < 15
    assert sb.violations() == []


def test_batch_calls_keep_the_last_tenth_of_the_day_for_users(sb, connected):
    token, tenants = connected
    sb.limits(day_limit=20)
    limiter = RateLimiter(burst=30)
    store = MemoryTokenStore(token)
    cron = make_client(sb, tenants[DEMO_ORG], store, limiter=limiter, priority="batch")
    user = make_client(sb, tenants[DEMO_ORG], store, limiter=limiter)
    since = sb.last_seq()
    done = 0
    with pytest.raises(XeroRateLimited) as err:
        for _ in range(30):
            cron.get_currencies()
            done += 1
    assert done == 18 and err.value.problem == "day"
    assert "kept for users" in err.value.user_message()
    assert user.get_organisation()["Name"] == DEMO_ORG
    assert all(c["status"] == 200 for c in sb.calls(since)), "Xero never had to say no"


def test_rate_limited_chunk_stops_the_batch_and_marks_the_rest(sb, connected):
    from .conftest import CONTACT, bill, writes

    def inject_after_first_chunk(event):
        if event["operation"] == "save_invoices" and event["outcome"] == "ok":
            sb.fault("429", retry_after=3600, problem="minute")

    token, tenants = connected
    client = make_client(
        sb, tenants[DEMO_ORG], MemoryTokenStore(token), log_sink=inject_after_first_chunk
    )
    records = [(i, bill(f"RL-{i}", CONTACT)) for i in range(120)]
    since = sb.last_seq()
    results = client.send_batch("invoices", records)
    assert [r.ok for r in results] == [True] * 50 + [False] * 70
    assert all(isinstance(r.exception, XeroRateLimited) and r.retryable for r in results[50:])
    assert len(writes(sb.calls(since))) == 2, "the third chunk was not even sent"


def test_concurrency_429_backs_off_seconds_then_succeeds(sb, connected):
    """Xero sends no Retry-After with a concurrency 429: the caller backs off a few
    seconds and tries again, instead of giving up for a minute."""
    import threading

    token, tenants = connected
    store = MemoryTokenStore(token)
    events = []
    busy = make_client(sb, tenants[DEMO_ORG], store)  # another app instance's call
    client = make_client(sb, tenants[DEMO_ORG], store, log_sink=events.append)
    sb.limits(concurrent_limit=1)
    try:
        sb.fault("hang", count=1, path="Organisation$", hang_seconds=1.5)
        holder = threading.Thread(target=busy.get_organisation)
        holder.start()
        time.sleep(0.5)  # the slow call holds Xero's only slot
        since = sb.last_seq()
        currencies = client.get_currencies()
        holder.join()
    finally:
        sb.limits(concurrent_limit=5)
    assert currencies
    mine = [c for c in sb.calls(since) if c["path"].endswith("/Currencies")]
    assert mine[0]["status"] == 429 and mine[-1]["status"] == 200
    refused = [e for e in events if e["http_status"] == 429]
    assert refused and all(e["outcome"] == "retrying" for e in refused)
    client.get_accounts()  # not blocked for a minute: the next call goes straight out
    assert sb.calls()[-1]["status"] == 200


def test_retry_time_is_a_whole_second_rounded_up():
    """Odoo compares due times with its whole-second clock: a retry time with a fraction
    would not be due when the cron triggered for it runs in that same second."""
    assert XeroRateLimited(1795981276.41).retry_at == datetime.fromtimestamp(1795981277, tz=UTC)
    assert XeroRateLimited(1795981276).retry_at == datetime.fromtimestamp(1795981276, tz=UTC)
