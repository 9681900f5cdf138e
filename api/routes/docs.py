"""/docs and /redoc with their scripts and styles served from the installed `fastapi-offline`
package, so the API documentation works offline and asks no other host for anything."""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, HTTPException
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, Response

router = APIRouter(include_in_schema=False)
ASSETS = Path(fastapi_offline.__file__).parent / "static"
ASSET_PREFIX = "/docs-assets"
# The documentation pages start their script inline, and Redoc runs a worker from a blob.
DOCS_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; worker-src 'self' blob:; frame-ancestors 'none'; base-uri 'none'"
)
MEDIA = {".js": "text/javascript", ".css": "text/css", ".png": "image/png"}
# ReDoc's side menu always draws its maker's logo from their CDN (the page's policy would block
# it, but the browser would still try): it is served pointing at our own icon instead.
ELSEWHERE = {
    "redoc.standalone.js": (b"https://cdn.redoc.ly/redoc/logo-mini.svg", f"{ASSET_PREFIX}/favicon.png".encode())
}
CACHED = {"Cache-Control": "public, max-age=86400"}


def _secured(page: HTMLResponse) -> HTMLResponse:
    page.headers["Content-Security-Policy"] = DOCS_POLICY
    return page


@router.get("/docs")
def swagger_ui() -> HTMLResponse:
    return _secured(
        get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="persecution-graph API",
            swagger_js_url=f"{ASSET_PREFIX}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSET_PREFIX}/swagger-ui.css",
            swagger_favicon_url=f"{ASSET_PREFIX}/favicon.png",
            # Swagger UI sends the schema of a server not on localhost to validator.swagger.io.
            swagger_ui_parameters={"validatorUrl": None},
        )
    )


@router.get("/redoc")
def redoc() -> HTMLResponse:
    return _secured(
        get_redoc_html(
            openapi_url="/openapi.json",
            title="persecution-graph API",
            redoc_js_url=f"{ASSET_PREFIX}/redoc.standalone.js",
            redoc_favicon_url=f"{ASSET_PREFIX}/favicon.png",
            with_google_fonts=False,
        )
    )


@router.get(ASSET_PREFIX + "/{name}")
def asset(name: str) -> Response:
    """One of the documentation's own files (the same for every caller: cached for a day)."""
    path = ASSETS / name
    if path.parent != ASSETS or path.suffix not in MEDIA or not path.is_file():
        raise HTTPException(404, f"no documentation file {name!r}")
    if name in ELSEWHERE:
        address, ours = ELSEWHERE[name]
        return Response(path.read_bytes().replace(address, ours), media_type=MEDIA[path.suffix], headers=CACHED)
    return FileResponse(path, media_type=MEDIA[path.suffix], headers=CACHED)
