"""Bot API methods on photos: sendPhoto, editMessageMedia, editMessageCaption, getFile
(a mixin), and the file download route.

A photo is given as an uploaded multipart file (the ``photo`` field itself, or
``attach://<field>`` as aiogram sends it), or as a file_id this fake returned earlier.
URLs are refused: the fake does not download anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiohttp import web

from workday_sandbox.telegram.errors import (
    MESSAGE_NOT_MODIFIED,
    NO_CAPTION_TO_EDIT,
    NO_MEDIA_TO_EDIT,
    NO_PHOTO_IN_REQUEST,
    WRONG_FILE_ID,
    ApiError,
    bad,
)
from workday_sandbox.telegram.http_api import json_response
from workday_sandbox.telegram.methods_messages import MessageMethods
from workday_sandbox.telegram.params import UploadedFile, caption_text, validate_markup
from workday_sandbox.telegram.photos import StoredPhoto, check_photo, store_photo

_ATTACH = "attach://"
_NOT_PHOTO_MEDIA = frozenset({"video", "animation", "audio", "document", "live_photo"})


@dataclass(frozen=True, slots=True)
class PhotoRef:
    """A photo named in a request, before its upload (if any) is checked and stored."""

    upload: UploadedFile | None = None
    stored: StoredPhoto | None = None


class MediaMethods(MessageMethods):
    # --- photos: the store ------------------------------------------------------------

    def stored_photo(self, file_id: str) -> StoredPhoto | None:
        """The photo any of whose sizes has this file_id (None if this fake issued none)."""
        return self._photos.get(file_id)

    def photo_bytes(self, file_id: str) -> bytes:
        """The image uploaded under this file_id (any of its sizes); KeyError if unknown."""
        photo = self._photos.get(file_id)
        if photo is None:
            raise KeyError(f"no photo with file_id {file_id!r}")
        return photo.data

    def _photo_ref(self, params: dict[str, Any], value: Any, *, field: str) -> PhotoRef:
        """What ``value`` (the photo parameter, or InputMedia's ``media``) refers to."""
        missing = (
            ApiError(400, NO_PHOTO_IN_REQUEST)
            if field == "photo"
            else bad("can't parse InputMedia: media not found")
        )
        if isinstance(value, UploadedFile):
            return PhotoRef(upload=value)
        if not isinstance(value, str) or not value.strip():
            raise missing
        value = value.strip()
        if value.startswith(_ATTACH):
            upload = params.get(value[len(_ATTACH) :])
            if not isinstance(upload, UploadedFile):
                raise missing
            return PhotoRef(upload=upload)
        if value.lower().startswith(("http://", "https://")):
            raise bad(
                "failed to get HTTP URL content (the fake Telegram downloads nothing: "
                "upload the file as multipart/form-data or send a file_id it returned)"
            )
        stored = self._photos.get(value)
        if stored is None:
            raise ApiError(400, WRONG_FILE_ID)
        return PhotoRef(stored=stored)

    def _store(self, ref: PhotoRef) -> StoredPhoto:
        if ref.stored is not None:
            return ref.stored
        assert ref.upload is not None
        info = check_photo(ref.upload.data)
        photo = store_photo(len(self._photo_uploads) + 1, self.bot_id, ref.upload.data, info)
        self._photo_uploads.append(photo)
        for size in photo.sizes:
            self._photos[size.file_id] = photo
        self.stats.photos_uploaded += 1
        return photo

    # --- Bot API methods --------------------------------------------------------------

    def _m_send_photo(self, params: dict[str, Any]) -> dict[str, Any]:
        state = self._resolve_chat(params.get("chat_id"))
        self._check_reachable(state)
        ref = self._photo_ref(params, params.get("photo"), field="photo")
        parse_mode = params.get("parse_mode") or None
        caption, entities = caption_text(
            params.get("caption"), parse_mode, params.get("caption_entities")
        )
        markup = validate_markup(params.get("reply_markup"), inline_only=False)
        reply_to = self._reply_target(state, params)
        photo = self._store(ref)
        message = self._add_message(
            state, from_bot=True, sender_id=self.bot_id, text=caption, entities=entities,
            markup=markup, reply_to=reply_to, parse_mode=parse_mode, photo=photo,
        )
        self.stats.messages_sent += 1
        self.stats.messages_per_chat[state.chat.id] += 1
        return self._announce("message_sent", state, message)

    def _m_edit_message_media(self, params: dict[str, Any]) -> dict[str, Any]:
        markup = validate_markup(params.get("reply_markup"), inline_only=True)
        media = params.get("media")
        if media is None:
            raise bad("parameter \"media\" is required")
        if not isinstance(media, dict):
            raise bad("can't parse InputMedia: expected an Object")
        caption, entities = caption_text(
            media.get("caption"), media.get("parse_mode"), media.get("caption_entities")
        )
        kind = media.get("type")
        if not isinstance(kind, str):
            raise bad('can\'t parse InputMedia: field "type" must be of type String')
        ref = self._photo_ref(params, media.get("media"), field="media")
        if kind in _NOT_PHOTO_MEDIA:
            raise bad(f'can\'t parse InputMedia: type "{kind}" is not modelled by the fake '
                      "Telegram (only photos are)")
        if kind != "photo":
            raise bad(f'can\'t parse InputMedia: type "{kind}" is unsupported')
        state, message = self._editable(params)
        if message.photo is None:
            raise ApiError(400, NO_MEDIA_TO_EDIT)
        photo = self._store(ref)
        same_photo = photo is message.photo
        if (
            same_photo
            and caption == message.text
            and entities == message.entities
            and markup == message.reply_markup
        ):
            raise ApiError(400, MESSAGE_NOT_MODIFIED)
        changed = not same_photo or caption != message.text or entities != message.entities
        return self._apply_edit(
            state, message, caption, entities, markup, text_changed=changed, photo=photo
        )

    def _m_edit_message_caption(self, params: dict[str, Any]) -> dict[str, Any]:
        state, message = self._editable(params)
        caption, entities = caption_text(
            params.get("caption"), params.get("parse_mode"), params.get("caption_entities")
        )
        markup = validate_markup(params.get("reply_markup"), inline_only=True)
        if message.photo is None:
            raise ApiError(400, NO_CAPTION_TO_EDIT)
        changed = caption != message.text or entities != message.entities
        if not changed and markup == message.reply_markup:
            raise ApiError(400, MESSAGE_NOT_MODIFIED)
        return self._apply_edit(state, message, caption, entities, markup, text_changed=changed)

    def _m_get_file(self, params: dict[str, Any]) -> dict[str, Any]:
        file_id = params.get("file_id")
        if not isinstance(file_id, str) or not file_id:
            raise bad("file_id not specified")
        photo = self._photos.get(file_id)
        if photo is None:
            raise bad("invalid file_id")
        size = next(size for size in photo.sizes if size.file_id == file_id)
        return {
            "file_id": file_id,
            "file_unique_id": size.file_unique_id,
            "file_size": size.file_size,
            "file_path": photo.file_path,
        }

    # --- downloads --------------------------------------------------------------------

    async def _handle_file(self, request: web.Request) -> web.Response:
        """``GET /file/bot<token>/<file_path>``: the bytes getFile points at."""
        path = request.match_info["path"]
        if request.match_info["token"] == self.token:
            for photo in self._photo_uploads:
                if photo.file_path == path:
                    return web.Response(body=photo.data, content_type=photo.mime_type)
        return json_response({"ok": False, "error_code": 404, "description": "Not Found"}, 404)
