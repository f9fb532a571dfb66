"""Wire tests: routes, parameter parsing, check order, envelopes, auth errors."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from bot.clock import ManualClock
from workday_sandbox.portal.emulator import PortalEmulator, RequestRecord
from tests.sandbox.fixtures import START

TIME_KEYS = {
    "start", "finish", "duration", "processing", "date_start", "date_finish",
    "operating_reset_at", "operating",
}


@pytest.fixture
async def portal() -> AsyncIterator[PortalEmulator]:
    async with PortalEmulator(clock=ManualClock(START), rate_limit=None) as emulator:
        emulator.add_user(1, email="anna@example.com", name="Anna", last_name="Berg",
                          time_zone="Europe/Berlin", timeman_admin=True, portal_admin=True)
        emulator.add_user(2, email="boris@example.com", name="Boris", time_zone="Europe/Moscow")
        emulator.add_user(3, email="gone@example.com", name="Gone", active=False)
        emulator.add_app("local.app", "s3cret", scopes=("timeman", "user", "im"), name="Workday bot")
        emulator.add_app("local.narrow", "n4rrow", scopes=("user",), name="Narrow")
        yield emulator


def hook(portal: PortalEmulator, user_id: int = 1, code: str = "abc123", scopes=("timeman", "user", "im")) -> str:
    return portal.add_webhook(user_id=user_id, code=code, scopes=scopes)


# --------------------------------------------------------------------------- routes


async def test_webhook_add_returns_the_full_url(portal):
    url = hook(portal)
    assert url == f"{portal.base_url}/rest/1/abc123/"
    assert portal.base_url.startswith("http://127.0.0.1:")


@pytest.mark.parametrize("suffix", ["timeman.status", "timeman.status.json", "TIMEMAN.Status.json"])
async def test_webhook_route_with_and_without_json(portal, http, suffix):
    url = hook(portal)
    response = await http.post(url + suffix)
    assert response.status_code == 200
    assert response.json()["result"] == {"STATUS": "CLOSED"}
    assert portal.requests[-1].method == "timeman.status"


async def test_get_and_post_both_work(portal, http):
    url = hook(portal)
    got = await http.get(url + "user.current")
    posted = await http.post(url + "user.current")
    assert got.json()["result"]["ID"] == posted.json()["result"]["ID"] == "1"


async def test_oauth_token_as_auth_param_access_token_or_bearer(portal, http):
    token = portal.issue_tokens("local.app", 2)["access_token"]
    base = f"{portal.base_url}/rest/"
    answers = [
        await http.post(base + "user.current.json", json={"auth": token}),
        await http.get(base + "user.current", params={"auth": token}),
        await http.post(base + "user.current", data={"access_token": token}),
        await http.post(base + "user.current", headers={"Authorization": f"Bearer {token}"}),
    ]
    assert [a.json()["result"]["ID"] for a in answers] == ["2", "2", "2", "2"]
    assert all(r.auth == "oauth" and r.user_id == 2 for r in portal.requests)


# --------------------------------------------------------------------------- parameters


async def test_json_body(portal, http):
    url = hook(portal)
    response = await http.post(url + "im.notify.personal.add", json={"USER_ID": 2, "MESSAGE": "json"})
    assert response.json()["result"] == 1
    assert portal.notifications[-1].message == "json"


async def test_form_body_with_php_brackets(portal, http):
    url = hook(portal)
    response = await http.post(
        url + "user.get", data={"FILTER[EMAIL]": "boris@example.com", "FILTER[ACTIVE]": "Y"}
    )
    body = response.json()
    assert [u["ID"] for u in body["result"]] == ["2"] and body["total"] == 1


async def test_multipart_body(portal, http):
    url = hook(portal)
    response = await http.post(
        url + "im.notify.personal.add",
        data={"USER_ID": "2", "MESSAGE": "multipart"},
        files={"ignored": ("a.txt", b"file body")},
    )
    assert response.status_code == 200
    assert portal.notifications[-1].message == "multipart"


async def test_raw_query_string_body_without_content_type(portal, http):
    url = hook(portal)
    response = await http.post(
        url + "user.get", content=b"FILTER%5BID%5D=2", headers={"Content-Type": "text/plain"}
    )
    assert [u["ID"] for u in response.json()["result"]] == ["2"]


async def test_query_and_body_merge_with_the_body_winning(portal, http):
    url = hook(portal)
    response = await http.post(
        url + "im.notify.personal.add?USER_ID=2&MESSAGE=from-query",
        data={"MESSAGE": "from-body"},
    )
    assert response.status_code == 200
    note = portal.notifications[-1]
    assert (note.user_id, note.message) == (2, "from-body")


async def test_invalid_json_is_ignored_silently(portal, http):
    url = hook(portal)
    response = await http.post(
        url + "im.notify.personal.add?USER_ID=2&MESSAGE=query-only",
        content=b"{not json",
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 200
    assert portal.notifications[-1].message == "query-only"


async def test_timeman_keys_are_case_insensitive(portal, http):
    url = hook(portal)
    portal.seed_day(2, start=START - timedelta(hours=1))
    response = await http.post(url + "timeman.status", json={"user_id": 2})
    assert response.json()["result"]["STATUS"] == "OPENED"
    assert response.json()["result"]["TZ_OFFSET"] == 3 * 3600  # Moscow


# --------------------------------------------------------------------------- check order


async def test_unknown_method_is_404_before_auth(portal, http):
    response = await http.post(f"{portal.base_url}/rest/9/wrong/no.such.method")
    assert response.status_code == 404
    assert response.json() == {"error": "ERROR_METHOD_NOT_FOUND", "error_description": "Method not found!"}
    response = await http.post(f"{portal.base_url}/rest/no.such.method")
    assert response.json()["error"] == "ERROR_METHOD_NOT_FOUND"


async def test_auth_is_checked_before_the_rate_limit(http):
    async with PortalEmulator(clock=ManualClock(START), rate_limit=0.001, rate_burst=1) as emulator:
        emulator.add_user(1, email="a@example.com")
        url = emulator.add_webhook(1, code="good")
        assert (await http.post(url + "user.current")).status_code == 200
        assert (await http.post(url + "user.current")).json()["error"] == "QUERY_LIMIT_EXCEEDED"
        bad = await http.post(f"{emulator.base_url}/rest/1/bad/user.current")
        assert (bad.status_code, bad.json()["error"]) == (401, "INVALID_CREDENTIALS")
        none = await http.post(f"{emulator.base_url}/rest/user.current")
        assert none.json()["error"] == "NO_AUTH_FOUND"


async def test_scope_is_checked_before_the_rate_limit(http):
    async with PortalEmulator(clock=ManualClock(START), rate_limit=0.001, rate_burst=1) as emulator:
        emulator.add_user(1)
        url = emulator.add_webhook(1, code="narrow", scopes=("user",))
        assert (await http.post(url + "user.current")).status_code == 200
        response = await http.post(url + "timeman.status")
        assert response.json()["error"] == "insufficient_scope"


# --------------------------------------------------------------------------- auth errors


async def test_no_auth_found(portal, http):
    response = await http.post(f"{portal.base_url}/rest/user.current")
    assert response.status_code == 401
    assert response.json() == {"error": "NO_AUTH_FOUND", "error_description": "Wrong authorization data"}


async def test_invalid_credentials_for_a_wrong_code_or_user(portal, http):
    hook(portal)
    for path in ("/rest/1/wrong/user.current", "/rest/2/abc123/user.current"):
        response = await http.post(portal.base_url + path)
        assert response.status_code == 401
        assert response.json() == {
            "error": "INVALID_CREDENTIALS",
            "error_description": "Invalid request credentials",
        }


async def test_docs_statuses_switch(portal, http):
    hook(portal, code="narrow", scopes=("user",))
    portal.flags.auth_error_status = "docs"
    bad = await http.post(f"{portal.base_url}/rest/1/wrong/user.current")
    assert (bad.status_code, bad.json()["error"]) == (403, "INVALID_CREDENTIALS")
    scope = await http.post(f"{portal.base_url}/rest/1/narrow/timeman.status")
    assert (scope.status_code, scope.json()["error"]) == (403, "insufficient_scope")
    none = await http.post(f"{portal.base_url}/rest/user.current")
    assert none.status_code == 401  # NO_AUTH_FOUND is 401 either way


async def test_insufficient_scope_texts_for_webhook_and_token(portal, http):
    url = hook(portal, code="narrow", scopes=("user",))
    response = await http.post(url + "timeman.status")
    assert response.status_code == 401
    assert response.json() == {
        "error": "insufficient_scope",
        "error_description": "The request requires higher privileges than provided by the webhook token",
    }
    token = portal.issue_tokens("local.narrow", 1)["access_token"]
    response = await http.post(f"{portal.base_url}/rest/im.notify.system.add", json={"auth": token})
    assert response.json()["error_description"] == (
        "The request requires higher privileges than provided by the access token"
    )


async def test_expired_and_unknown_tokens(portal, http):
    grant = portal.issue_tokens("local.app", 1)
    url = f"{portal.base_url}/rest/user.current"
    assert (await http.post(url, json={"auth": grant["access_token"]})).status_code == 200
    portal.clock.advance(timedelta(seconds=3600))
    expired = await http.post(url, json={"auth": grant["access_token"]})
    assert expired.status_code == 401
    assert expired.json() == {
        "error": "expired_token",
        "error_description": "The access token provided has expired",
    }
    unknown = await http.post(url, json={"auth": "0" * 32})
    assert (unknown.status_code, unknown.json()["error"]) == (401, "invalid_token")


async def test_https_required_for_webhooks_when_asked(portal, http):
    url = hook(portal)
    portal.flags.require_https = True
    response = await http.post(url + "user.current")
    assert response.status_code == 401
    assert response.json() == {"error": "INVALID_REQUEST", "error_description": "Https required."}
    token = portal.issue_tokens("local.app", 1)["access_token"]
    assert (await http.post(f"{portal.base_url}/rest/user.current", json={"auth": token})).status_code == 200


async def test_a_dismissed_users_webhook_cannot_authorize(portal, http):
    url = hook(portal, user_id=3, code="gone")
    response = await http.post(url + "user.current")
    assert (response.status_code, response.json()["error"]) == (401, "authorization_error")


# --------------------------------------------------------------------------- envelopes


async def test_success_envelope_has_the_time_block(portal, http):
    url = hook(portal)
    body = (await http.post(url + "timeman.status")).json()
    assert set(body) == {"result", "time"}
    assert set(body["time"]) == TIME_KEYS
    assert body["time"]["date_start"] == "2026-03-02T07:00:00+00:00"  # the portal clock
    assert body["time"]["operating"] == 0
    assert body["time"]["finish"] >= body["time"]["start"]


async def test_error_envelope_has_no_time_block(portal, http):
    url = hook(portal)
    response = await http.post(url + "timeman.close")
    assert response.status_code == 400
    assert response.json() == {"error": "ALERT_WARNING", "error_description": "Cannot perform this action"}
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"


async def test_list_envelope_has_total(portal, http):
    url = hook(portal)
    body = (await http.post(url + "user.get")).json()
    assert body["total"] == 3 and "next" not in body
    assert set(body) == {"result", "total", "time"}


async def test_requests_are_recorded(portal, http):
    url = hook(portal)
    await http.post(url + "timeman.status")
    await http.post(url + "timeman.close")
    first, second = portal.requests
    assert isinstance(first, RequestRecord)
    assert (first.method, first.http_status, first.error, first.auth, first.user_id, first.batch) == (
        "timeman.status", 200, None, "webhook", 1, False,
    )
    assert (second.http_status, second.error) == (400, "ALERT_WARNING")
    assert portal.request_count("timeman.status") == 1 and portal.request_count() == 2


# --------------------------------------------------------------------------- timeman access


async def test_foreign_user_id_needs_admin_before_the_existence_check(portal, http):
    url = hook(portal, user_id=2, code="boris")
    for target in (1, 999):
        response = await http.post(url + "timeman.status", json={"USER_ID": target})
        assert response.status_code == 403
        assert response.json() == {
            "error": "ACCESS_DENIED",
            "error_description": "Access denied! User does not have access to managing other users work time",
        }
    own = await http.post(url + "timeman.status", json={"USER_ID": "2"})
    assert own.status_code == 200


async def test_admin_gets_user_not_found_with_an_empty_code(portal, http):
    url = hook(portal)
    response = await http.post(url + "timeman.open", json={"USER_ID": 999})
    assert response.status_code == 400
    assert response.json() == {"error": "", "error_description": "User not found"}


async def test_settings_show_admin_only_for_self(portal, http):
    url = hook(portal)
    own = (await http.post(url + "timeman.settings")).json()["result"]
    assert own == {
        "UF_TIMEMAN": True, "UF_TM_FREE": False, "UF_TM_MAX_START": "09:15:00",
        "UF_TM_MIN_FINISH": "17:45:00", "UF_TM_MIN_DURATION": "08:00:00",
        "UF_TM_ALLOWED_DELTA": "00:15:00", "ADMIN": True,
    }
    other = (await http.post(url + "timeman.settings", json={"USER_ID": 2})).json()["result"]
    assert "ADMIN" not in other


async def test_settings_of_a_user_without_timeman(portal, http):
    portal.add_user(7, name="NoTm", timeman_enabled=False, flextime=True)
    url = hook(portal)
    result = (await http.post(url + "timeman.settings", json={"USER_ID": 7})).json()["result"]
    assert result["UF_TIMEMAN"] is False and result["UF_TM_FREE"] is True
    assert result["UF_TM_MAX_START"] == result["UF_TM_ALLOWED_DELTA"] == "00:00:00"


# --------------------------------------------------------------------------- stubs and events


async def test_schedule_get(portal, http):
    url = hook(portal)
    known = (await http.post(url + "timeman.schedule.get", json={"id": 1})).json()["result"]
    assert known["SCHEDULE_TYPE"] == "FIXED" and known["SHIFTS"][0]["WORK_DAYS"] == "12345"
    unknown = (await http.post(url + "timeman.schedule.get", json={"id": 42})).json()
    assert unknown["result"] == []


async def test_network_ranges_are_admin_only(portal, http):
    boris = hook(portal, user_id=2, code="boris")
    response = await http.post(boris + "timeman.networkrange.get")
    assert response.status_code == 400
    assert response.json() == {
        "error": "ACCESS_ERROR",
        "error_description": "You don't have access to user this method",
    }
    anna = hook(portal)
    bad = await http.post(anna + "timeman.networkrange.set", json={"RANGES": "nonsense"})
    assert (bad.status_code, bad.json()["error"]) == (400, "INVALID_FORMAT")
    partial = await http.post(
        anna + "timeman.networkrange.set",
        json={"RANGES": [{"ip_range": "10.0.0.1-10.0.0.9", "name": "HQ"}, {"ip_range": "x", "name": "bad"}]},
    )
    assert partial.json()["result"] == {"result": False, "error_ranges": [{"ip_range": "x", "name": "bad"}]}
    ok = await http.post(
        anna + "timeman.networkrange.set", json={"RANGES": [{"ip_range": "10.0.0.1-10.0.0.9", "name": "HQ"}]}
    )
    assert ok.json()["result"] == {"result": True}
    check = await http.post(anna + "timeman.networkrange.check", json={"IP": "10.0.0.5"})
    assert check.json()["result"] == {"ip": "10.0.0.5", "range": "10.0.0.1-10.0.0.9", "name": "HQ"}
    miss = await http.post(anna + "timeman.networkrange.check", json={"IP": "10.0.1.5"})
    assert miss.json()["result"] is False


async def test_timecontrol_stubs(portal, http):
    anna = hook(portal)
    empty = await http.post(anna + "timeman.timecontrol.report.add", json={"ID": 1, "TEXT": "  "})
    assert (empty.status_code, empty.json()["error"]) == (400, "TEXT_EMPTY")
    settings = (await http.post(anna + "timeman.timecontrol.settings.get")).json()["result"]
    assert settings["active"] is False
    await http.post(anna + "timeman.timecontrol.settings.set", json={"ACTIVE": "Y"})
    assert (await http.post(anna + "timeman.timecontrol.settings.get")).json()["result"]["active"] is True
    boris = hook(portal, user_id=2, code="boris")
    denied = await http.post(boris + "timeman.timecontrol.settings.get")
    assert denied.json()["error"] == "ACCESS_ERROR"


async def test_event_bind_is_rejected_for_webhooks_and_there_are_no_timeman_events(portal, http):
    url = hook(portal)
    response = await http.post(url + "event.bind", json={"event": "OnAppUninstall", "handler": "https://x/"})
    assert (response.status_code, response.json()["error"]) == (403, "WRONG_AUTH_TYPE")
    token = portal.issue_tokens("local.app", 1)["access_token"]
    base = f"{portal.base_url}/rest/"
    timeman_event = await http.post(
        base + "event.bind", json={"auth": token, "event": "OnAfterTMDayStart", "handler": "https://x/"}
    )
    assert (timeman_event.status_code, timeman_event.json()["error"]) == (400, "ERROR_EVENT_NOT_FOUND")
    ok = await http.post(base + "event.bind", json={"auth": token, "event": "OnAppUninstall", "handler": "https://x/"})
    assert ok.json()["result"] is True
    bound = (await http.post(base + "event.get", json={"auth": token})).json()["result"]
    assert bound == [{"event": "ONAPPUNINSTALL", "handler": "https://x/", "auth_type": 0, "offline": 0}]


async def test_server_time_and_scope(portal, http):
    url = hook(portal, scopes=("user", "timeman"))
    assert (await http.post(url + "server.time")).json()["result"] == "2026-03-02T07:00:00+00:00"
    assert (await http.post(url + "scope")).json()["result"] == ["timeman", "user"]
