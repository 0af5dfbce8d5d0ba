"""Rate limits per organisation: minute, day, concurrent; headers; scaled clock.
Uses its own in-process sandbox (thread mode) so limits can be tight."""

import threading
import time

import pytest

from sandbox import Sandbox
from sandbox.seed_gen import DEMO_TENANT, SECOND_TENANT

from .conftest import Api


@pytest.fixture(scope="module")
def limited():
    sb = Sandbox(mode="thread", min_limit=5, day_limit=1000, concurrent_limit=2)
    sb.start()
    yield sb
    violations = sb.violations()
    sb.stop()
    assert violations == []


@pytest.fixture
def lapi(limited):
    limited.limits(min_limit=5, day_limit=1000, concurrent_limit=2, reset=True)
    limited.clear_faults()
    return Api(limited, limited.tokens(), renew=True)


def test_headers_on_every_response(lapi):
    first = lapi.get("/Organisation")
    second = lapi.get("/Organisation")
    for resp in (first, second):
        for header in ("X-MinLimit-Remaining", "X-DayLimit-Remaining", "X-AppMinLimit-Remaining"):
            assert header in resp.headers
    assert (
        int(second.headers["X-MinLimit-Remaining"])
        == int(first.headers["X-MinLimit-Remaining"]) - 1
    )
    assert second.headers["X-DayLimit-Remaining"] == "998"
    assert lapi.get("/Invoices/not-there").headers["X-MinLimit-Remaining"] == "2"


def test_minute_limit(lapi, limited):
    for _ in range(5):
        assert lapi.get("/Organisation").status_code == 200
    resp = lapi.get("/Organisation")
    assert resp.status_code == 429
    assert resp.headers["X-Rate-Limit-Problem"] == "minute"
    assert 0 < int(resp.headers["Retry-After"]) <= 60
    assert resp.headers["X-MinLimit-Remaining"] == "0"
    # another organisation has its own window
    assert Api(limited, lapi.token, SECOND_TENANT).get("/Organisation").status_code == 200
    limited.advance(int(resp.headers["Retry-After"]))
    assert lapi.get("/Organisation").status_code == 200


def test_day_limit(lapi, limited):
    limited.limits(min_limit=1000, day_limit=3, reset=True)
    for _ in range(3):
        assert lapi.get("/Organisation").status_code == 200
    resp = lapi.get("/Organisation")
    assert resp.status_code == 429 and resp.headers["X-Rate-Limit-Problem"] == "day"
    assert int(resp.headers["Retry-After"]) > 3600
    limited.advance(86400)
    assert lapi.get("/Organisation").status_code == 200


def test_concurrent_limit(lapi, limited):
    limited.inject("hang", count=2, path="Organisation$", hang_seconds=1.5)
    results = []

    def slow():
        results.append(lapi.get("/Organisation").status_code)

    threads = [threading.Thread(target=slow) for _ in range(2)]
    for thread in threads:
        thread.start()
    time.sleep(0.6)
    resp = lapi.get("/Contacts", params={"page": 1})
    for thread in threads:
        thread.join()
    assert resp.status_code == 429
    assert resp.headers["X-Rate-Limit-Problem"] == "concurrent"
    assert "Retry-After" not in resp.headers, "Xero sends no Retry-After with a concurrency 429"
    assert results == [200, 200]
    assert lapi.get("/Organisation").status_code == 200


def test_scaled_clock_resets_minute_window_quickly():
    with Sandbox(mode="thread", time_scale=40, min_limit=2, validate=False) as sb:
        api = Api(sb, sb.tokens(tenants=[DEMO_TENANT]), renew=True)
        assert [api.get("/Organisation").status_code for _ in range(3)] == [200, 200, 429]
        time.sleep(1.6)  # 64 seconds of sandbox time
        assert api.get("/Organisation").status_code == 200
        assert sb.control("GET", "clock")["time_scale"] == 40


def test_headers_on_error_and_fault_responses(lapi, limited):
    assert "X-DayLimit-Remaining" in lapi.get("/Nope").headers
    limited.inject("503", count=1)
    resp = lapi.get("/Organisation")
    assert resp.status_code == 503 and "X-MinLimit-Remaining" in resp.headers
    bad = Api(limited, {"access_token": "x"})
    assert "X-AppMinLimit-Remaining" in bad.get("/Organisation").headers


def test_injected_concurrency_429_has_no_retry_after(lapi, limited):
    limited.inject("429", count=1, problem="concurrent")
    resp = lapi.get("/Organisation")
    assert resp.status_code == 429 and resp.headers["X-Rate-Limit-Problem"] == "concurrent"
    assert "Retry-After" not in resp.headers
    limited.inject("429", count=1, problem="minute", retry_after=7)
    assert lapi.get("/Organisation").headers["Retry-After"] == "7"


def test_starter_tier_daily_allowance_of_1000():
    with Sandbox(mode="thread", day_limit=1000, validate=False) as sb:
        api = Api(sb, sb.tokens(tenants=[DEMO_TENANT]), renew=True)
        assert api.get("/Organisation").headers["X-DayLimit-Remaining"] == "999"
        assert sb.control("GET", "limits")["day_limit"] == 1000


def test_control_api_counts_refusals_by_cause(lapi, limited):
    """The control API tells the 429s the limits gave from the injected ones (the chaos
    run reports both)."""
    assert limited.control("GET", "limits")["refused"] == {}
    assert [lapi.get("/Organisation").status_code for _ in range(6)][-1] == 429
    limited.inject("429", count=2)
    assert lapi.get("/Organisation").status_code == 429
    assert lapi.get("/Organisation").status_code == 429
    assert limited.control("GET", "limits")["refused"] == {"minute": 1, "injected": 2}
    limited.limits(reset=True)
    assert limited.control("GET", "limits")["refused"] == {}
