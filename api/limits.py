"""Request size limits, before any route runs: a body over MAX_BODY_BYTES gets 413 and a URL
over MAX_URL_BYTES gets 414, both in the one JSON error shape."""

from __future__ import annotations

import json
from typing import Any

MAX_BODY_BYTES = 1 << 20
MAX_URL_BYTES = 8192

Scope = dict[str, Any]


class LimitRequests:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        url_bytes = len(scope.get("raw_path") or b"") + len(scope.get("query_string") or b"")
        if url_bytes > MAX_URL_BYTES:
            await _refuse(send, 414, f"the URL is longer than {MAX_URL_BYTES} bytes")
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY_BYTES):
            await _refuse(send, 413, f"the request body is larger than {MAX_BODY_BYTES} bytes")
            return
        received = 0

        async def counted() -> Any:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > MAX_BODY_BYTES:
                raise _TooLarge
            return message

        try:
            await self.app(scope, counted, send)
        except _TooLarge:
            await _refuse(send, 413, f"the request body is larger than {MAX_BODY_BYTES} bytes")


class _TooLarge(Exception):
    pass


async def _refuse(send: Any, status: int, detail: str) -> None:
    body = json.dumps({"error": {"status": status, "title": "request too large", "detail": detail}}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
