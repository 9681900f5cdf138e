"""Security headers on every response, before it leaves the app.

- Answers depend on who asks (restricted records reach key holders only), so no cache may keep
  one for somebody else: ``Vary: Authorization, X-API-Key`` and ``Cache-Control: private,
  no-store``, unless a route set its own ``Cache-Control`` (static assets).
- A Content-Security-Policy header: no request to another host, no scripts on the pages, and no
  page may be framed by another site (``frame-ancestors 'none'``). A route that needs another
  policy (the network views, which run their own inline script and are meant to be embedded in
  reports) sends its own header, and that one is kept.
- ``X-Content-Type-Options: nosniff`` and ``Referrer-Policy: no-referrer``.
"""

from __future__ import annotations

from typing import Any

PAGE_POLICY = (
    "default-src 'self'; script-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
    "frame-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
ALWAYS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"vary", b"Authorization, X-API-Key"),
]


class SecurityHeaders:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = secured(list(message.get("headers") or []))
            await send(message)

        await self.app(scope, receive, with_headers)


def secured(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """The response's headers with the security headers added (a route's own CSP and
    Cache-Control are kept)."""
    names = {name.lower() for name, _ in headers}
    kept = [(name, value) for name, value in headers if name.lower() != b"vary"]
    added = list(ALWAYS)
    if b"cache-control" not in names:
        added.append((b"cache-control", b"private, no-store"))
    if b"content-security-policy" not in names:
        added += [(b"content-security-policy", PAGE_POLICY.encode()), (b"x-frame-options", b"DENY")]
    return kept + added
