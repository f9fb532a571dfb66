"""Every injected fault kind, method targeting, counting and clearing (docs/bitrix24.md#injected-faults)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from bot.clock import ManualClock
from workday_sandbox.portal.emulator import PortalEmulator
from tests.sandbox.fixtures import START


@pytest.fixture
async def portal() -> AsyncIterator[PortalEmulator]:
    async with PortalEmulator(clock=ManualClock(START), rate_limit=None) as emulator:
        emulator.add_user(1, email="anna@example.com", name="Anna")
        emulator.add_app("local.app", "s3cret", scopes=("user",))
        yield emulator


@pytest.mark.parametrize(
    ("kind", "status", "error"),
    [
        ("http_500", 500, "INTERNAL_SERVER_ERROR"),
        ("http_502", 502, "ERROR_UNEXPECTED_ANSWER"),
        ("http_503", 503, "SERVICE_UNAVAILABLE"),
        ("query_limit", 503, "QUERY_LIMIT_EXCEEDED"),
        ("portal_deleted", 403, "PORTAL_DELETED"),
    ],
)
async def test_json_error_faults(portal, http, url, kind, status, error):
    portal.faults.inject(kind, method="timeman.status")
    response = await http.post(url + "timeman.status")
    assert response.status_code == status
    body = response.json()
    assert body["error"] == error and "time" not in body
    assert response.headers["Content-Type"].startswith("application/json")
    record = portal.requests[-1]
    assert (record.method, record.http_status, record.error, record.fault) == ("timeman.status", status, error, kind)
    assert (await http.post(url + "timeman.status")).status_code == 200  # times=1


async def test_query_limit_body(portal, http, url):
    portal.faults.inject("query_limit")
    response = await http.post(url + "user.current")
    assert response.json() == {"error": "QUERY_LIMIT_EXCEEDED", "error_description": "Too many requests"}


async def test_portal_deleted_follows_the_docs_switch(portal, http, url):
    portal.flags.auth_error_status = "docs"
    portal.faults.inject("portal_deleted")
    response = await http.post(url + "user.current")
    assert response.status_code == 500
    assert response.json() == {"error": "PORTAL_DELETED", "error_description": "Portal was deleted"}


async def test_html_502_page(portal, http, url):
    portal.faults.inject("html")
    response = await http.post(url + "user.current")
    assert response.status_code == 502
    assert response.headers["Content-Type"].startswith("text/html")
    assert "<h1>502 Bad Gateway</h1>" in response.text
    with pytest.raises(ValueError):
        response.json()


async def test_html_with_status_200(portal, http, url):
    portal.faults.inject("html_200")
    response = await http.post(url + "user.current")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    assert response.text.lstrip().startswith("<!DOCTYPE html>")


async def test_slow_answers_normally(portal, http, url):
    portal.faults.inject("slow", delay=0.05, times=1)
    response = await http.post(url + "user.current")
    assert response.status_code == 200 and response.json()["result"]["ID"] == "1"
    assert portal.faults.fired == [("slow", "user.current")]
    assert portal.faults.pending == []


async def test_slow_beyond_the_client_timeout(portal, url):
    portal.faults.inject("slow", delay=1.0)
    async with httpx.AsyncClient(timeout=0.1) as impatient:
        with pytest.raises(httpx.ReadTimeout):
            await impatient.post(url + "user.current")


async def test_reset_drops_the_connection(portal, http, url):
    portal.faults.inject("reset", method="user.current")
    with pytest.raises(httpx.RemoteProtocolError):
        await http.post(url + "user.current")
    assert portal.requests[-1].http_status == 0 and portal.requests[-1].fault == "reset"
    assert (await http.post(url + "user.current")).status_code == 200


async def test_redirect_to_another_portal_domain(portal, http, url):
    portal.faults.inject("redirect")
    response = await http.post(url + "user.current?x=1")
    assert response.status_code == 302
    location = httpx.URL(response.headers["Location"])
    assert location.host == "localhost"
    assert location.path == "/rest/1/abc123/user.current" and location.query == b"x=1"
    # The new domain is the same emulator: following the move works.
    moved = await http.post(str(location))
    assert moved.json()["result"]["ID"] == "1"


async def test_redirect_to_a_chosen_location(portal, http, url):
    portal.faults.inject("redirect", location="https://moved.bitrix24.example")
    response = await http.get(url + "user.current")
    assert response.headers["Location"] == "https://moved.bitrix24.example/rest/1/abc123/user.current"


async def test_faults_target_methods_and_count_down(portal, http, url):
    portal.faults.inject("http_500", method="timeman.status", times=2)
    assert (await http.post(url + "user.current")).status_code == 200
    assert (await http.post(url + "timeman.status")).status_code == 500
    assert (await http.post(url + "TIMEMAN.STATUS.json")).status_code == 500
    assert (await http.post(url + "timeman.status")).status_code == 200


async def test_faults_until_cleared(portal, http, url):
    portal.faults.inject("http_502", times=None)
    for _ in range(3):
        assert (await http.post(url + "user.current")).status_code == 502
    portal.faults.clear()
    assert (await http.post(url + "user.current")).status_code == 200


async def test_a_fault_hits_the_whole_batch_request(portal, http, url):
    portal.faults.inject("http_503", method="batch")
    response = await http.post(url + "batch", json={"cmd": {"a": "user.current"}})
    assert response.status_code == 503
    assert portal.request_count(count_inner=True) == 1


async def test_token_endpoint_faults_only_when_targeted(portal, http):
    grant = portal.issue_tokens("local.app", 1)
    portal.faults.inject("http_500")  # any REST method, not the token endpoint
    params = {"grant_type": "refresh_token", "client_id": "local.app",
              "client_secret": "s3cret", "refresh_token": grant["refresh_token"]}
    ok = await http.get(f"{portal.oauth_url}/oauth/token/", params=params)
    assert ok.status_code == 200
    portal.faults.clear()
    portal.faults.inject("http_503", method="oauth.token")
    failed = await http.get(f"{portal.oauth_url}/oauth/token/", params={**params, "refresh_token": ok.json()["refresh_token"]})
    assert failed.status_code == 503
    assert portal.token_requests[-1].ok is False


def test_unknown_fault_kinds_are_refused(portal):
    with pytest.raises(ValueError):
        portal.faults.inject("teapot")
    with pytest.raises(ValueError):
        portal.faults.inject("http_500", times=0)


async def test_late_answer_applies_the_batch_before_it_answers(portal, http, url):
    """'late_answer' on the batch that pauses: the day is paused while the caller still
    waits; a batch that only reads is not targeted."""
    portal.seed_day(1, start=START, status="OPENED")
    portal.faults.inject("late_answer", method="batch", inner="timeman.pause", delay=30)
    read = await http.post(url + "batch", json={"cmd": {"s": "timeman.status?USER_ID=1"}})
    assert read.json()["result"]["result"]["s"]["STATUS"] == "OPENED"  # answered at once
    pausing = asyncio.create_task(http.post(url + "batch", json={"cmd": {"p": "timeman.pause?USER_ID=1"}}))
    while portal.status_of(1)["STATUS"] != "PAUSED":
        await asyncio.sleep(0.01)
    assert not pausing.done()  # applied, not yet answered
    pausing.cancel()
    assert portal.faults.pending == []  # times=1, used by the pausing batch
