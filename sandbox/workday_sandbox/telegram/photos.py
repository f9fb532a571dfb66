"""Photos for the fake Bot API: reading an upload's header, Telegram's limits, PhotoSizes.

The fake never decodes or resizes pixels (no image library): it reads the width and
height from the PNG IHDR chunk or the JPEG SOF segment, checks Telegram's photo limits,
and keeps the uploaded bytes. Telegram answers a photo with several PhotoSizes (the
original plus smaller copies); the fake lists the same ladder of sizes, but every size
serves the original bytes and the smaller ones' ``file_size`` is an estimate.
"""

from __future__ import annotations

import base64
import struct
import zlib
from dataclasses import dataclass
from typing import Any

from workday_sandbox.telegram.errors import bad

MAX_PHOTO_BYTES = 10 * 1024 * 1024  # "The photo must be at most 10 MB in size."
MAX_PHOTO_SIDES = 10_000  # "width and height must not exceed 10000 in total"
MAX_PHOTO_RATIO = 20  # "Width and height ratio must be at most 20."
# Telegram keeps originals up to 2560 px on the long side and adds smaller copies
# (its size types s, m, x, y): only those smaller than the original are listed.
SCALED_SIDES = (90, 320, 800, 1280)
MAX_STORED_SIDE = 2560

PHOTO_INVALID_DIMENSIONS = "PHOTO_INVALID_DIMENSIONS"
IMAGE_PROCESS_FAILED = "IMAGE_PROCESS_FAILED"
# MTProto's error for a photo over 10 MB; the Bot API passes such codes through.
PHOTO_TOO_BIG = "PHOTO_SAVE_FILE_INVALID"

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Start-of-frame markers that carry the image size (not DHT C4, JPG C8, DAC CC).
_JPEG_SOF = frozenset(
    {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
)
_JPEG_STANDALONE = frozenset({0x01, *range(0xD0, 0xD8)})


@dataclass(frozen=True, slots=True)
class ImageInfo:
    mime_type: str  # "image/png" or "image/jpeg"
    width: int
    height: int

    @property
    def extension(self) -> str:
        return "png" if self.mime_type == "image/png" else "jpg"


def image_info(data: bytes) -> ImageInfo | None:
    """The type and size from a PNG or JPEG header; None when it is neither."""
    if data.startswith(_PNG_SIGNATURE):
        return _png_info(data)
    if data.startswith(b"\xff\xd8"):
        return _jpeg_info(data)
    return None


def _png_info(data: bytes) -> ImageInfo | None:
    # The first chunk must be IHDR: length 13, type, width, height, ..., CRC.
    if len(data) < 33:
        return None
    length, kind = struct.unpack(">I4s", data[8:16])
    if length != 13 or kind != b"IHDR":
        return None
    body = data[12:29]
    (crc,) = struct.unpack(">I", data[29:33])
    if zlib.crc32(body) != crc:
        return None
    width, height = struct.unpack(">II", data[16:24])
    return ImageInfo("image/png", width, height)


def _jpeg_info(data: bytes) -> ImageInfo | None:
    index = 2
    while index + 4 <= len(data):
        if data[index] != 0xFF:
            return None
        marker = data[index + 1]
        if marker == 0xFF:  # fill byte
            index += 1
            continue
        if marker in _JPEG_STANDALONE:
            index += 2
            continue
        if marker in (0xD9, 0xDA):  # end of image, or scan data before any frame header
            return None
        (length,) = struct.unpack(">H", data[index + 2 : index + 4])
        if length < 2:
            return None
        if marker in _JPEG_SOF:
            if index + 9 > len(data) or length < 7:
                return None
            height, width = struct.unpack(">HH", data[index + 5 : index + 9])
            return ImageInfo("image/jpeg", width, height)
        index += 2 + length
    return None


def check_photo(data: bytes) -> ImageInfo:
    """The upload's image info, or Telegram's 400 for a file that cannot be a photo."""
    if len(data) > MAX_PHOTO_BYTES:
        raise bad(PHOTO_TOO_BIG)
    info = image_info(data)
    if info is None or info.width == 0 or info.height == 0:
        raise bad(IMAGE_PROCESS_FAILED)
    long_side, short_side = max(info.width, info.height), min(info.width, info.height)
    if info.width + info.height > MAX_PHOTO_SIDES or long_side > MAX_PHOTO_RATIO * short_side:
        raise bad(PHOTO_INVALID_DIMENSIONS)
    return info


def _scaled(width: int, height: int, side: int) -> tuple[int, int]:
    if width >= height:
        return side, max(1, round(height * side / width))
    return max(1, round(width * side / height)), side


@dataclass(frozen=True, slots=True)
class PhotoSize:
    file_id: str
    file_unique_id: str
    width: int
    height: int
    file_size: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "width": self.width,
            "height": self.height,
            "file_size": self.file_size,
        }


@dataclass(frozen=True, slots=True)
class StoredPhoto:
    """One uploaded photo: its bytes and the PhotoSizes Telegram would list for it."""

    number: int  # the upload's sequence number in this fake
    data: bytes
    info: ImageInfo
    sizes: tuple[PhotoSize, ...]  # smallest first, the original last

    @property
    def mime_type(self) -> str:
        return self.info.mime_type

    @property
    def file_path(self) -> str:
        """The path getFile answers (``/file/bot<token>/<file_path>`` serves the bytes)."""
        return f"photos/file_{self.number}.{self.info.extension}"

    def to_dicts(self) -> list[dict[str, Any]]:
        return [size.to_dict() for size in self.sizes]


def _identifier(prefix: str, *parts: int) -> str:
    raw = b"".join(part.to_bytes(8, "big", signed=True) for part in parts)
    return prefix + base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def store_photo(number: int, bot_id: int, data: bytes, info: ImageInfo) -> StoredPhoto:
    """Telegram-like PhotoSizes for a checked upload (file ids look like Telegram's
    ``AgAC…`` photo ids and are unique per upload and size)."""
    width, height = info.width, info.height
    long_side = max(width, height)
    dimensions = [_scaled(width, height, side) for side in SCALED_SIDES if side < long_side]
    dimensions.append(
        _scaled(width, height, MAX_STORED_SIDE) if long_side > MAX_STORED_SIDE else (width, height)
    )
    area = width * height
    sizes = []
    for index, (w, h) in enumerate(dimensions):
        last = index == len(dimensions) - 1
        estimate = len(data) if last else max(1, len(data) * w * h // area)
        sizes.append(
            PhotoSize(
                file_id=_identifier("AgACAgIAAxkBAAI", bot_id, number, index),
                file_unique_id=_identifier("AQAD", number, index),
                width=w,
                height=h,
                file_size=estimate,
            )
        )
    return StoredPhoto(number=number, data=data, info=info, sizes=tuple(sizes))
