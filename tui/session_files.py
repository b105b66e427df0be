"""Files a served app hands to its browser tab (a screenshot, `s`): offered, then fetched in chunks.

Textual's web driver (`App.deliver_screenshot`, `deliver_text`, ...) announces a file with a meta
message {"type": "deliver_file_start", "key", "path", "open_method", "mime_type", "encoding",
"name"}; the server tells the tab ["deliver_file_start", key] and the page opens
/download/{key}. For that request the server asks the app for one chunk at a time (meta
{"type": "deliver_chunk_request", "key", "size", "name"}); the app answers each with a packed
packet ("deliver_chunk", key, chunk), an empty chunk at the end.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from aiohttp import web

log = logging.getLogger("backprop-stepper.serve")

CHUNK_SIZE = 64 * 1024
CHUNK_TIMEOUT = 4.0  # seconds an app has to answer a chunk request before the download is given up


class PackedError(ValueError):
    """A packed packet that is not in Textual's format."""


def unpack(data: bytes) -> Any:
    """Decode a packed packet: Textual's bencode-like format (N, T, F, i…e, LEN:bytes, sLEN:str, l…e, t…e, d…e)."""
    value, end = decode_at(data, 0)
    if end != len(data):
        raise PackedError(f"{len(data) - end} bytes after the value")
    return value


def decode_at(data: bytes, at: int) -> tuple[Any, int]:
    if at >= len(data):
        raise PackedError("more data expected")
    tag = data[at:at + 1]
    if tag in (b"N", b"T", b"F"):
        return {b"N": None, b"T": True, b"F": False}[tag], at + 1
    if tag == b"i":
        end = data.index(b"e", at)
        return int(data[at + 1:end]), end + 1
    if tag in (b"l", b"t", b"d"):
        items, at = [], at + 1
        while data[at:at + 1] != b"e":
            item, at = decode_at(data, at)
            items.append(item)
        if tag == b"d":
            return dict(zip(items[::2], items[1::2], strict=True)), at + 1
        return (items if tag == b"l" else tuple(items)), at + 1
    start = at + 1 if tag == b"s" else at
    colon = data.find(b":", start)
    if colon < 0 or not data[start:colon].isdigit():
        raise PackedError(f"unknown tag {tag!r} at {at}")
    end = colon + 1 + int(data[start:colon])
    if end > len(data):
        raise PackedError("more data expected")
    raw = data[colon + 1:end]
    return (raw.decode("utf-8") if tag == b"s" else raw), end


@dataclass
class Offer:
    """One file an app has offered its tab, until the tab has fetched it."""

    owner: object  # the session that offered it
    ask: Callable[[dict], Awaitable[bool]]  # sends a meta message to that session's app
    file_name: str
    open_method: str
    mime_type: str
    encoding: str
    name: str | None
    chunks: asyncio.Queue[bytes | None] = field(default_factory=asyncio.Queue)


class Deliveries:
    """Every session's offered files, for the server's /download/{key} route."""

    def __init__(self) -> None:
        self.offers: dict[str, Offer] = {}

    def offer(self, owner: object, ask: Callable[[dict], Awaitable[bool]], message: dict) -> str:
        """Record a deliver_file_start message; returns its key."""
        key = str(message["key"])
        self.offers[key] = Offer(owner, ask, PurePath(str(message["path"])).name, str(message["open_method"]),
                                 str(message["mime_type"]), str(message.get("encoding") or ""), message.get("name"))
        return key

    def received(self, packed: bytes) -> None:
        """A packed packet from an app: a chunk of one of its files."""
        try:
            kind, key, chunk = unpack(packed)
        except (PackedError, ValueError, TypeError) as error:
            log.warning("a session sent a packed packet that could not be read: %s", error)
            return
        if kind == "deliver_chunk" and (offer := self.offers.get(key)) is not None:
            offer.chunks.put_nowait(chunk.encode(offer.encoding or "utf-8") if isinstance(chunk, str) else chunk)

    def cancel(self, owner: object) -> None:
        """The session has ended: its downloads end where they are, and its other offers go."""
        for key, offer in list(self.offers.items()):
            if offer.owner is owner:
                offer.chunks.put_nowait(None)
                del self.offers[key]

    async def chunks(self, key: str) -> AsyncIterator[bytes]:
        offer = self.offers[key]
        try:
            while await offer.ask({"type": "deliver_chunk_request", "key": key, "size": CHUNK_SIZE,
                                   "name": offer.name}):
                try:
                    chunk = await asyncio.wait_for(offer.chunks.get(), CHUNK_TIMEOUT)
                except TimeoutError:
                    log.warning("download %s: no chunk from its session within %.0f s", key, CHUNK_TIMEOUT)
                    return
                if not chunk:
                    return
                yield chunk
        finally:
            self.offers.pop(key, None)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        key = request.match_info["key"]
        offer = self.offers.get(key)
        if offer is None:
            raise web.HTTPNotFound(text=f"no file {key!r} is waiting to be downloaded")
        response = web.StreamResponse()
        response.headers["Content-Type"] = offer.mime_type + (f"; charset={offer.encoding}" if offer.encoding else "")
        disposition = "inline" if offer.open_method == "browser" else "attachment"
        response.headers["Content-Disposition"] = f'{disposition}; filename="{offer.file_name}"'
        await response.prepare(request)
        async for chunk in self.chunks(key):
            await response.write(chunk)
        await response.write_eof()
        return response
