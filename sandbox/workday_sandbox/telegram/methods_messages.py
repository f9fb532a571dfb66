"""Bot API methods on messages: send, edit, delete, and answering callback queries (a mixin)."""

from __future__ import annotations

from typing import Any

from workday_sandbox.telegram.core import TelegramCore
from workday_sandbox.telegram.errors import (
    MESSAGE_NOT_MODIFIED,
    MESSAGE_TO_DELETE_NOT_FOUND,
    MESSAGE_TO_EDIT_NOT_FOUND,
    NO_TEXT_TO_EDIT,
    QUERY_TOO_OLD,
    ApiError,
    bad,
)
from workday_sandbox.telegram.models import ChatMessage, MessageVersion
from workday_sandbox.telegram.params import message_text, validate_markup
from workday_sandbox.telegram.photos import StoredPhoto
from workday_sandbox.telegram.state import ChatState

_MAX_CALLBACK_ANSWER = 200


class MessageMethods(TelegramCore):
    def _m_send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        state = self._resolve_chat(params.get("chat_id"))
        self._check_reachable(state)
        text, entities, parse_mode = message_text(params)
        markup = validate_markup(params.get("reply_markup"), inline_only=False)
        reply_to = self._reply_target(state, params)
        message = self._add_message(
            state, from_bot=True, sender_id=self.bot_id, text=text, entities=entities,
            markup=markup, reply_to=reply_to, parse_mode=parse_mode,
        )
        self.stats.messages_sent += 1
        self.stats.messages_per_chat[state.chat.id] += 1
        return self._announce("message_sent", state, message)

    @staticmethod
    def _reply_target(state: ChatState, params: dict[str, Any]) -> int | None:
        """The message a send replies to (reply_to_message_id or reply_parameters)."""
        reply_to = params.get("reply_to_message_id")
        reply_parameters = params.get("reply_parameters")
        allow_without = bool(params.get("allow_sending_without_reply"))
        if isinstance(reply_parameters, dict):
            reply_to = reply_parameters.get("message_id", reply_to)
            allow_without = bool(reply_parameters.get("allow_sending_without_reply", allow_without))
        if reply_to is not None:
            replied = state.messages.get(reply_to)
            if replied is None or replied.deleted:
                if not allow_without:
                    raise bad("message to be replied not found")
                reply_to = None
        return reply_to

    def _announce(self, kind: str, state: ChatState, message: ChatMessage) -> dict[str, Any]:
        """Put the bot's new or edited message in the feed; returns it as the Bot API does."""
        self._emit(
            kind,
            state.chat.id,
            message_id=message.message_id,
            message=message.to_dict(versions=False),
        )
        return self._telegram_message(state, message)

    @staticmethod
    def _existing_message(state: ChatState, params: dict[str, Any], not_found: str) -> ChatMessage:
        """The (not deleted) message ``params["message_id"]`` names; ``not_found`` if none."""
        message_id = params.get("message_id")
        if message_id is None:
            raise bad("message identifier is not specified")
        message = state.messages.get(message_id)
        if message is None or message.deleted:
            raise ApiError(400, not_found)
        return message

    def _editable(self, params: dict[str, Any]) -> tuple[ChatState, ChatMessage]:
        if params.get("inline_message_id"):
            raise bad("MESSAGE_ID_INVALID")  # inline messages are not modelled
        state = self._resolve_chat(params.get("chat_id"))
        message = self._existing_message(state, params, MESSAGE_TO_EDIT_NOT_FOUND)
        if not message.from_bot:
            raise bad("message can't be edited")
        self._check_reachable(state)
        return state, message

    def _apply_edit(
        self,
        state: ChatState,
        message: ChatMessage,
        text: str,
        entities: list[dict[str, Any]],
        markup: dict[str, Any] | None,
        *,
        text_changed: bool,
        photo: StoredPhoto | None = None,
    ) -> dict[str, Any]:
        """Record an edit; ``text_changed`` (the text, caption or photo changed) sets
        edit_date. A photo message keeps its photo unless ``photo`` replaces it."""
        date = int(self._clock())
        message.text = text
        message.entities = entities
        message.reply_markup = markup
        if photo is not None:
            message.photo = photo
        if text_changed:
            message.edit_date = date
        message.versions.append(MessageVersion(text, entities, markup, date, message.photo))
        self.stats.messages_edited += 1
        self.stats.edits_per_chat[state.chat.id] += 1
        return self._announce("message_edited", state, message)

    def _m_edit_message_text(self, params: dict[str, Any]) -> dict[str, Any]:
        state, message = self._editable(params)
        text, entities, _parse_mode = message_text(params)
        if message.photo is not None:
            raise ApiError(400, NO_TEXT_TO_EDIT)
        # Telegram drops the inline keyboard when an edit does not pass one.
        markup = validate_markup(params.get("reply_markup"), inline_only=True)
        if text == message.text and entities == message.entities and markup == message.reply_markup:
            raise ApiError(400, MESSAGE_NOT_MODIFIED)
        text_changed = text != message.text or entities != message.entities
        return self._apply_edit(state, message, text, entities, markup, text_changed=text_changed)

    def _m_edit_message_reply_markup(self, params: dict[str, Any]) -> dict[str, Any]:
        state, message = self._editable(params)
        markup = validate_markup(params.get("reply_markup"), inline_only=True)
        if markup == message.reply_markup:
            raise ApiError(400, MESSAGE_NOT_MODIFIED)
        return self._apply_edit(
            state, message, message.text, message.entities, markup, text_changed=False
        )

    def _m_delete_message(self, params: dict[str, Any]) -> bool:
        state = self._resolve_chat(params.get("chat_id"))
        message = self._existing_message(state, params, MESSAGE_TO_DELETE_NOT_FOUND)
        message_id = message.message_id
        if not message.from_bot and state.chat.type != "private":
            raise bad("message can't be deleted")
        message.deleted = True
        self.stats.messages_deleted += 1
        self._emit("message_deleted", state.chat.id, message_id=message_id)
        return True

    def _m_answer_callback_query(self, params: dict[str, Any]) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        query = self._queries.get(query_id)
        if (
            query is None
            or query.answered
            or self._monotonic() - query.created > self.callback_query_ttl
        ):
            raise ApiError(400, QUERY_TOO_OLD)
        text = params.get("text") or None
        if text is not None and len(str(text)) > _MAX_CALLBACK_ANSWER:
            raise bad("MESSAGE_TOO_LONG")
        show_alert = bool(params.get("show_alert"))
        query.answered = True
        self._callback_answers[query_id] = (text, show_alert)
        self.stats.callback_answers += 1
        self._emit(
            "callback_answered",
            query.chat_id,
            callback_query_id=query_id,
            message_id=query.message_id,
            user_id=query.user_id,
            text=text,
            show_alert=show_alert,
            url=params.get("url"),
        )
        return True
