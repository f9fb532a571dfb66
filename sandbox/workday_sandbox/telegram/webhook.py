"""setWebhook and friends, and delivering updates to the webhook over HTTP (a mixin).

Updates are sharded by chat over ``max_connections`` workers, so each chat's updates
arrive in order; a failed delivery is retried after `webhook_retry_delays`, then dropped.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections import deque
from typing import Any

from aiohttp import ClientError, ClientTimeout, MultipartReader

from workday_sandbox.telegram.errors import MethodResult, bad
from workday_sandbox.telegram.http_api import HttpApi, log
from workday_sandbox.telegram.state import QueuedUpdate, WebhookState

_SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


class WebhookDelivery(HttpApi):
    @property
    def webhook_info(self) -> dict[str, Any]:
        return self._webhook_info()

    def _webhook_info(self) -> dict[str, Any]:
        webhook = self._webhook
        if webhook is None:
            return {
                "url": "",
                "has_custom_certificate": False,
                "pending_update_count": len(self._pending),
            }
        info: dict[str, Any] = {
            "url": webhook.url,
            "has_custom_certificate": False,
            "pending_update_count": webhook.pending_count,
            "max_connections": webhook.max_connections,
        }
        if webhook.ip_address:
            info["ip_address"] = webhook.ip_address
        if webhook.last_error_date is not None:
            info["last_error_date"] = webhook.last_error_date
            info["last_error_message"] = webhook.last_error_message
        if self._allowed_updates_set is not None:
            info["allowed_updates"] = sorted(self._allowed_updates)
        return info

    def _m_get_webhook_info(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._webhook_info()

    def _m_set_webhook(self, params: dict[str, Any]) -> MethodResult:
        url = params.get("url") or ""
        if not url:
            return self._m_delete_webhook(params)
        if not isinstance(url, str) or not re.match(r"^https?://[^/\s]+", url):
            raise bad("bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.get("secret_token") or None
        if secret is not None and not _SECRET_TOKEN.match(str(secret)):
            raise bad("bad webhook: secret token contains unallowed characters")
        max_connections = int(params.get("max_connections") or 40)
        if not 1 <= max_connections <= 100:
            raise bad("bad webhook: max_connections must be between 1 and 100")
        if "allowed_updates" in params:
            self._set_allowed_updates(params["allowed_updates"])
        pending = self._take_all_pending()
        if params.get("drop_pending_updates"):
            pending = []
        unchanged = (
            self._webhook is not None
            and self._webhook.url == url
            and self._webhook.secret_token == secret
        )
        webhook = WebhookState(url, secret, max_connections, params.get("ip_address") or None)
        self._webhook = webhook
        loop = asyncio.get_running_loop()
        webhook.tasks = [
            loop.create_task(self._webhook_worker(webhook, index), name=f"fake-webhook-{index}")
            for index in range(max_connections)
        ]
        for update in pending:
            if update.type in self._allowed_updates:
                webhook.push(update)
        self._updates_changed.notify()  # waiting getUpdates calls now get 409
        return MethodResult(True, "Webhook is already set" if unchanged else "Webhook was set")

    def _take_all_pending(self) -> list[QueuedUpdate]:
        """Detach every undelivered update (from the polling queue or the webhook)."""
        if self._webhook is not None:
            old = self._webhook
            self._webhook = None
            old.active = False
            for task in old.tasks:
                task.cancel()
            pending = old.pending()
        else:
            pending = list(self._pending)
        self._pending = deque()
        return pending

    def _m_delete_webhook(self, params: dict[str, Any]) -> MethodResult:
        had_webhook = self._webhook is not None
        pending = self._take_all_pending()
        if not params.get("drop_pending_updates"):
            self._pending = deque(pending)
        self._updates_changed.notify()
        return MethodResult(True, "Webhook was deleted" if had_webhook else "Webhook is already deleted")

    async def _stop_webhook_workers(self, webhook: WebhookState) -> None:
        webhook.active = False
        for task in webhook.tasks:
            task.cancel()
        await asyncio.gather(*webhook.tasks, return_exceptions=True)

    async def _webhook_worker(self, webhook: WebhookState, index: int) -> None:
        shard = webhook.shards[index]
        notifier = webhook.notifiers[index]
        while webhook.active and not self._closing:
            if not shard:
                await notifier.wait(30.0)
                continue
            update = shard[0]
            if update.type in self._allowed_updates:
                await self._deliver(webhook, update)
            else:
                self.stats.updates_filtered += 1
            if shard and shard[0] is update:
                shard.popleft()
            self._changed.notify()

    async def _deliver(self, webhook: WebhookState, update: QueuedUpdate) -> bool:
        headers = {"Content-Type": "application/json"}
        if webhook.secret_token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = webhook.secret_token
        body = json.dumps(self._update_json(update), ensure_ascii=False).encode("utf-8")
        attempts = len(self.webhook_retry_delays) + 1
        for attempt in range(attempts):
            if not webhook.active or self._client is None:
                return False
            try:
                async with self._client.post(
                    webhook.url,
                    data=body,
                    headers=headers,
                    timeout=ClientTimeout(total=self.webhook_timeout),
                ) as response:
                    if 200 <= response.status < 300:
                        self.stats.webhook_deliveries += 1
                        await self._webhook_reply(response)
                        return True
                    error = f"Wrong response from the webhook: {response.status} {response.reason}"
            except (ClientError, TimeoutError, OSError) as exc:
                error = f"Connection failed: {type(exc).__name__}: {exc}".rstrip(": ")
            webhook.last_error_date = int(self._clock())
            webhook.last_error_message = error
            self.stats.webhook_failures += 1
            if attempt < attempts - 1:
                await asyncio.sleep(self.webhook_retry_delays[attempt])
        self.stats.webhook_dropped += 1
        log.warning(
            "fake Telegram: dropped update %s after %d attempts", update.update_id, attempts
        )
        return False

    async def _webhook_reply(self, response: Any) -> None:
        """Telegram runs a method the webhook returns in its response body."""
        content_type = response.headers.get("Content-Type", "")
        params: dict[str, Any] = {}
        try:
            if content_type.startswith("multipart/"):
                reader = MultipartReader(response.headers, response.content)
                while True:
                    part = await reader.next()
                    if part is None:
                        break
                    raw = await part.read(decode=True)  # type: ignore[union-attr]
                    params[part.name or ""] = raw.decode("utf-8")
            elif content_type.startswith("application/json"):
                data = await response.json(content_type=None)
                if isinstance(data, dict):
                    params = data
            else:
                return
        except (ValueError, ClientError) as exc:
            log.warning("fake Telegram: unreadable webhook reply: %s", exc)
            return
        method = params.pop("method", None)
        if isinstance(method, str) and method:
            await self._call(method, params, via="webhook_reply")
