from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import BotMode, ConfigError, load_settings

CONTRACT_VARIABLES = [
    "TELEGRAM_BOT_TOKEN", "TELEGRAM_API_BASE", "BITRIX24_WEBHOOK_URL", "BITRIX24_PORTAL_URL",
    "BITRIX24_CLIENT_ID", "BITRIX24_CLIENT_SECRET", "BITRIX24_ACCESS_TOKEN", "BITRIX24_REFRESH_TOKEN",
    "BITRIX24_RATE_LIMIT", "BITRIX24_RATE_BURST", "BITRIX24_OAUTH_SERVER_URL", "REDIS_URL",
    "BOT_ADMIN_IDS", "BOT_DEFAULT_TIMEZONE", "BOT_MODE", "WEBHOOK_URL", "WEBHOOK_SECRET",
    "WEBHOOK_HOST", "WEBHOOK_PORT", "BOT_HEALTH_HOST", "BOT_HEALTH_PORT", "WEBHOOK_MAX_CONNECTIONS",
    "WEBHOOK_IDLE_TIMEOUT", "WEBHOOK_REQUEST_TIMEOUT",
]

WEBHOOK = "https://example.bitrix24.com/rest/1/abc123secret/"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in CONTRACT_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def minimal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:ABC-def_ghi")
    monkeypatch.setenv("BITRIX24_WEBHOOK_URL", WEBHOOK)


def problems(env_file: Path | None = None) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_settings(env_file)
    return caught.value.problems


def test_defaults_with_a_webhook(monkeypatch: pytest.MonkeyPatch) -> None:
    minimal(monkeypatch)
    settings = load_settings(None)
    assert settings.bitrix24.uses_webhook
    assert settings.bitrix24.rate_limit == 2.0
    assert settings.bitrix24.rate_burst == 50
    assert settings.redis.url.get_secret_value() == "redis://localhost:6379/0"
    assert settings.bot.mode is BotMode.POLLING
    assert settings.bot.default_timezone == "UTC"
    assert settings.bot.admin_ids == frozenset()
    assert settings.telegram.api_base == "https://api.telegram.org"


def test_admin_ids_are_comma_separated(monkeypatch: pytest.MonkeyPatch) -> None:
    minimal(monkeypatch)
    monkeypatch.setenv("BOT_ADMIN_IDS", " 111, 222 ,333")
    assert load_settings(None).bot.admin_ids == frozenset({111, 222, 333})


def test_every_bad_variable_is_named_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "not-a-token")
    monkeypatch.setenv("BITRIX24_WEBHOOK_URL", "http://example.bitrix24.com/rest/1/abc123secret/")
    monkeypatch.setenv("BITRIX24_RATE_LIMIT", "-1")
    monkeypatch.setenv("BOT_ADMIN_IDS", "12,bob")
    monkeypatch.setenv("BOT_DEFAULT_TIMEZONE", "Mars/Olympus")
    monkeypatch.setenv("BOT_MODE", "carrier-pigeon")
    monkeypatch.setenv("REDIS_URL", "http://localhost")
    found = problems()
    named = " ".join(found)
    for name in ("TELEGRAM_BOT_TOKEN", "BITRIX24_WEBHOOK_URL", "BITRIX24_RATE_LIMIT",
                 "BOT_ADMIN_IDS", "BOT_DEFAULT_TIMEZONE", "BOT_MODE", "REDIS_URL"):
        assert name in named, f"{name} not reported in {found}"
    assert len(found) == 7


def test_problems_never_echo_secret_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "oops-secret-value-123")
    monkeypatch.setenv("BITRIX24_WEBHOOK_URL", "http://evil.example.com/rest/1/topsecretcode/")
    monkeypatch.setenv("WEBHOOK_SECRET", "bad secret with spaces")
    message = str(pytest.raises(ConfigError, load_settings, None).value)
    assert "oops-secret-value-123" not in message
    assert "topsecretcode" not in message
    assert "bad secret with spaces" not in message


def test_missing_everything_names_the_required_variables() -> None:
    found = " ".join(problems())
    assert "TELEGRAM_BOT_TOKEN" in found
    assert "BITRIX24_WEBHOOK_URL" in found


def test_plain_http_is_accepted_only_for_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:ABC")
    for url in ("http://127.0.0.1:8090/rest/1/abcdef/", "http://localhost/rest/1/abcdef/",
                "http://[::1]:9000/rest/1/abcdef/"):
        monkeypatch.setenv("BITRIX24_WEBHOOK_URL", url)
        assert load_settings(None).bitrix24.uses_webhook
    monkeypatch.setenv("BITRIX24_WEBHOOK_URL", "http://10.0.0.5/rest/1/abcdef/")
    assert any("BITRIX24_WEBHOOK_URL" in p and "https" in p for p in problems())


def test_webhook_url_must_have_the_rest_shape(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:ABC")
    monkeypatch.setenv("BITRIX24_WEBHOOK_URL", "https://example.bitrix24.com/")
    assert any(p.startswith("BITRIX24_WEBHOOK_URL") for p in problems())


def test_oauth_set_complete(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:ABC")
    monkeypatch.setenv("BITRIX24_PORTAL_URL", "https://example.bitrix24.com/")
    monkeypatch.setenv("BITRIX24_CLIENT_ID", "local.abc")
    monkeypatch.setenv("BITRIX24_CLIENT_SECRET", "client-secret-1")
    monkeypatch.setenv("BITRIX24_REFRESH_TOKEN", "refresh-token-1")
    settings = load_settings(None).bitrix24
    assert not settings.uses_webhook
    assert settings.portal_url == "https://example.bitrix24.com"


def test_oauth_set_incomplete_names_what_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:ABC")
    monkeypatch.setenv("BITRIX24_PORTAL_URL", "https://example.bitrix24.com/")
    monkeypatch.setenv("BITRIX24_CLIENT_ID", "local.abc")
    found = " ".join(problems())
    assert "BITRIX24_CLIENT_SECRET" in found
    assert "BITRIX24_ACCESS_TOKEN or BITRIX24_REFRESH_TOKEN" in found


def test_webhook_and_oauth_together_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    minimal(monkeypatch)
    monkeypatch.setenv("BITRIX24_CLIENT_ID", "local.abc")
    assert any("set one of the two" in p for p in problems())


def test_webhook_mode_needs_url_and_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    minimal(monkeypatch)
    monkeypatch.setenv("BOT_MODE", "webhook")
    found = " ".join(problems())
    assert "WEBHOOK_URL" in found and "WEBHOOK_SECRET" in found
    monkeypatch.setenv("WEBHOOK_URL", "https://bot.example.com/tg/hook")
    monkeypatch.setenv("WEBHOOK_SECRET", "s3cret_token-1")
    settings = load_settings(None)
    assert settings.webhook.path == "/tg/hook"


def test_webhook_mode_problems_come_with_every_other_problem_in_one_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    # The README promises one message: the webhook-mode variables must not wait until
    # the other mistakes are fixed.
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "not-a-token")
    monkeypatch.setenv("BITRIX24_WEBHOOK_URL", "http://example.bitrix24.com/rest/1/abc123secret/")
    monkeypatch.setenv("BITRIX24_RATE_LIMIT", "-1")
    monkeypatch.setenv("BOT_ADMIN_IDS", "12,bob")
    monkeypatch.setenv("BOT_MODE", "webhook")
    found = problems()
    for name in ("TELEGRAM_BOT_TOKEN", "BITRIX24_WEBHOOK_URL", "BITRIX24_RATE_LIMIT", "BOT_ADMIN_IDS"):
        assert any(p.startswith(f"{name}:") for p in found), f"{name} not reported in {found}"
    assert "WEBHOOK_URL: is required when BOT_MODE=webhook" in found
    assert "WEBHOOK_SECRET: is required when BOT_MODE=webhook" in found
    assert len(found) == 6


def test_a_bad_webhook_variable_is_named_once_next_to_a_missing_one(monkeypatch: pytest.MonkeyPatch) -> None:
    minimal(monkeypatch)
    monkeypatch.setenv("BOT_MODE", "webhook")
    monkeypatch.setenv("BOT_DEFAULT_TIMEZONE", "Mars/Olympus")
    monkeypatch.setenv("WEBHOOK_SECRET", "has spaces")
    found = problems()
    assert [p.split(":", 1)[0] for p in found] == ["BOT_DEFAULT_TIMEZONE", "WEBHOOK_SECRET", "WEBHOOK_URL"]
    assert "WEBHOOK_URL: is required when BOT_MODE=webhook" in found


def test_reads_dot_env_file(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(
        "TELEGRAM_BOT_TOKEN=42:from-file\n"
        f"BITRIX24_WEBHOOK_URL={WEBHOOK}\n"
        "BITRIX24_RATE_LIMIT=5\nBITRIX24_RATE_BURST=250\n"
    )
    settings = load_settings(env_file)
    assert settings.telegram.bot_token.get_secret_value() == "42:from-file"
    assert (settings.bitrix24.rate_limit, settings.bitrix24.rate_burst) == (5.0, 250)


def test_reprs_hide_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    minimal(monkeypatch)
    settings = load_settings(None)
    text = repr(settings)
    assert "abc123secret" not in text
    assert "ABC-def_ghi" not in text


def test_health_server_and_listener_bounds(monkeypatch: pytest.MonkeyPatch) -> None:
    minimal(monkeypatch)
    settings = load_settings(None)
    assert (settings.bot.health_host, settings.bot.health_port) == ("127.0.0.1", 8088)
    assert settings.webhook.max_connections == 400
    assert settings.webhook.idle_timeout == 15 and settings.webhook.request_timeout == 30
    monkeypatch.setenv("BOT_HEALTH_PORT", "0")
    monkeypatch.setenv("WEBHOOK_IDLE_TIMEOUT", "0")
    monkeypatch.setenv("WEBHOOK_MAX_CONNECTIONS", "3")
    assert sorted(p.split(":")[0] for p in problems()) == ["WEBHOOK_IDLE_TIMEOUT", "WEBHOOK_MAX_CONNECTIONS"]
