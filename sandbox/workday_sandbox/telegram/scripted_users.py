"""Scripted users: what tests (and the browser page) do as Telegram users (a mixin).

Each action queues the update Telegram would send the bot and records a feed event.
"""

from __future__ import annotations

from typing import Any

from workday_sandbox.telegram.html import command_entities
from workday_sandbox.telegram.inspection import StateReading
from workday_sandbox.telegram.models import ChatMessage, SimChat, SimUser
from workday_sandbox.telegram.state import CallbackQuery, ChatState


class ScriptedUsers(StateReading):
    def send_text(
        self,
        user: SimUser | int,
        text: str,
        chat: SimChat | int | None = None,
        *,
        reply_to: int | None = None,
    ) -> int | None:
        """Queue a ``message`` update: ``user`` writes ``text`` (in their private chat by
        default). ``/commands`` get ``bot_command`` entities like Telegram adds.

        Returns the update_id, or None when Telegram would not deliver it (a plain
        message in a group while `group_privacy` is on). A blocked bot is unblocked
        first, as when a user presses "Restart".
        """
        update_id, _message = self._user_sends(user, text, chat, reply_to=reply_to)
        return update_id

    def click(
        self,
        user: SimUser | int,
        message_id: int | ChatMessage,
        callback_data: str,
        chat: SimChat | int | None = None,
    ) -> str:
        """Queue a ``callback_query``: ``user`` presses the button with ``callback_data``
        on the bot's message. Raises LookupError when the message (as it is now) has no
        such button. Returns the callback query id (see `callback_answers`).
        """
        sim_user = self._as_user(user)
        state = self._state(chat if chat is not None else sim_user.id)
        msg_id = message_id.message_id if isinstance(message_id, ChatMessage) else message_id
        message = state.messages.get(msg_id)
        if message is None or message.deleted or not message.from_bot:
            raise LookupError(
                f"chat {state.chat.id} has no bot message {msg_id} to click "
                f"(bot messages: {[m.message_id for m in self.messages(state.chat.id)]})"
            )
        if callback_data not in message.callback_data:
            raise LookupError(
                f"message {msg_id} in chat {state.chat.id} has no button with callback_data "
                f"{callback_data!r}; its buttons: "
                f"{[(b.text, b.callback_data) for row in message.inline_keyboard for b in row]}"
            )
        return self._queue_callback(sim_user, state, msg_id, callback_data)

    def click_button(
        self,
        user: SimUser | int,
        message_id: int | ChatMessage,
        text: str,
        chat: SimChat | int | None = None,
    ) -> str:
        """Like `click`, choosing the callback button by its label (exact, else the only
        label containing ``text``)."""
        sim_user = self._as_user(user)
        state = self._state(chat if chat is not None else sim_user.id)
        msg_id = message_id.message_id if isinstance(message_id, ChatMessage) else message_id
        message = state.messages.get(msg_id)
        if message is None or message.deleted or not message.from_bot:
            raise LookupError(f"chat {state.chat.id} has no bot message {msg_id} to click")
        buttons = [b for row in message.inline_keyboard for b in row if b.callback_data]
        exact = [b for b in buttons if b.text == text]
        partial = [b for b in buttons if text in b.text]
        chosen = exact or (partial if len(partial) == 1 else [])
        if not chosen:
            raise LookupError(
                f"message {msg_id} has no single callback button labelled {text!r}; "
                f"labels: {[b.text for b in buttons]}"
            )
        return self.click(sim_user, msg_id, chosen[0].callback_data or "", chat=state.chat.id)

    def click_raw(
        self,
        user: SimUser | int,
        message_id: int,
        data: str | None,
        chat: SimChat | int | None = None,
    ) -> str:
        """Queue a ``callback_query`` with arbitrary (possibly forged) data, without
        checking the message or its buttons. Returns the callback query id."""
        sim_user = self._as_user(user)
        state = self._state(chat if chat is not None else sim_user.id)
        return self._queue_callback(sim_user, state, message_id, data)

    def block(self, user: SimUser | int) -> None:
        """The user blocks the bot: sends to their chat answer 403, and a
        ``my_chat_member`` update (status ``kicked``) is queued."""
        sim_user = self._as_user(user)
        state = self._chats[sim_user.id]
        if state.chat.blocked:
            return
        state.chat.blocked = True
        self._queue_my_chat_member(sim_user, state, "member", "kicked")
        seq = self._emit("user_blocked", state.chat.id, user_id=sim_user.id)
        state.last_user_seq = seq

    def unblock(self, user: SimUser | int) -> None:
        """The user unblocks (restarts) the bot; a ``my_chat_member`` ``member`` update is
        queued."""
        sim_user = self._as_user(user)
        state = self._chats[sim_user.id]
        if not state.chat.blocked:
            return
        state.chat.blocked = False
        state.chat.started = True
        self._queue_my_chat_member(sim_user, state, "kicked", "member")
        seq = self._emit("user_unblocked", state.chat.id, user_id=sim_user.id)
        state.last_user_seq = seq

    def deactivate(self, user: SimUser | int) -> None:
        """The user deletes their account: sends answer 403 "user is deactivated"."""
        sim_user = self._as_user(user)
        self._chats[sim_user.id].chat.deactivated = True

    def queue_update(self, update: dict[str, Any]) -> int:
        """Queue any raw update object (``{"message": {...}}``); returns its update_id."""
        kinds = [key for key in update if key != "update_id"]
        if len(kinds) != 1:
            raise ValueError("an update has exactly one field besides update_id")
        kind = kinds[0]
        body = update[kind]
        key = 0
        if isinstance(body, dict):
            chat = body.get("chat") or (body.get("message") or {}).get("chat") or {}
            key = chat.get("id") or (body.get("from") or {}).get("id") or 0
        return self._enqueue(kind, body, int(key))

    def _user_sends(
        self,
        user: SimUser | int,
        text: str,
        chat: SimChat | int | None,
        *,
        reply_to: int | None = None,
    ) -> tuple[int | None, ChatMessage]:
        sim_user = self._as_user(user)
        state = self._state(chat if chat is not None else sim_user.id)
        if state.chat.type == "private" and state.chat.blocked:
            self.unblock(sim_user)
        if state.chat.type == "private":
            state.chat.started = True
        message = self._add_message(
            state, from_bot=False, sender_id=sim_user.id, text=text,
            entities=command_entities(text), markup=None, reply_to=reply_to,
        )
        state.last_user_seq = self._emit(
            "user_message",
            state.chat.id,
            message_id=message.message_id,
            user_id=sim_user.id,
            message=message.to_dict(versions=False),
        )
        if state.chat.type != "private" and self.group_privacy and not self._bot_can_see(
            state, message
        ):
            return None, message
        payload = self._telegram_message(state, message)
        return self._enqueue("message", payload, state.chat.id), message

    def _bot_can_see(self, state: ChatState, message: ChatMessage) -> bool:
        text = message.text
        if text.startswith("/") or f"@{self.bot_username}".lower() in text.lower():
            return True
        if message.reply_to_message_id is not None:
            replied = state.messages.get(message.reply_to_message_id)
            return replied is not None and replied.from_bot
        return False

    def _queue_callback(
        self, user: SimUser, state: ChatState, message_id: int, data: str | None
    ) -> str:
        query_id = str(self.bot_id * 1_000_000_000 + self._next_query)
        self._next_query += 1
        message = state.messages.get(message_id)
        if message is not None and not message.deleted:
            message_json = self._telegram_message(state, message)
        else:  # Telegram sends an InaccessibleMessage
            message_json = {"chat": state.chat.to_dict(), "message_id": message_id, "date": 0}
        payload: dict[str, Any] = {
            "id": query_id,
            "from": user.to_dict(),
            "message": message_json,
            "chat_instance": str((state.chat.id * 6364136223846793005 + self.bot_id) % 2**63),
        }
        if data is not None:
            payload["data"] = data
        self._queries[query_id] = CallbackQuery(
            id=query_id,
            user_id=user.id,
            chat_id=state.chat.id,
            message_id=message_id,
            data=data,
            created=self._monotonic(),
        )
        state.last_user_seq = self._emit(
            "user_click",
            state.chat.id,
            message_id=message_id,
            user_id=user.id,
            callback_query_id=query_id,
            data=data,
        )
        self._enqueue("callback_query", payload, state.chat.id)
        return query_id

    def _queue_my_chat_member(
        self, user: SimUser, state: ChatState, old: str, new: str
    ) -> None:
        def member(status: str) -> dict[str, Any]:
            data: dict[str, Any] = {"status": status, "user": self.bot_user}
            if status == "kicked":
                data["until_date"] = 0
            return data

        payload = {
            "chat": state.chat.to_dict(),
            "from": user.to_dict(),
            "date": int(self._clock()),
            "old_chat_member": member(old),
            "new_chat_member": member(new),
        }
        self._enqueue("my_chat_member", payload, state.chat.id)
