"""Security headers for every response: a strict CSP without inline script, no caching of case pages."""

from __future__ import annotations

import re

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "media-src 'self' blob:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


# The same protective headers on every response (header names in lower case, as ASGI sends them).
SECURITY_HEADERS = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    # Browsers heed it only over HTTPS, where a deployment serves sxr: never fall back to plain HTTP.
    (b"strict-transport-security", b"max-age=63072000; includeSubDomains"),
)


class SecurityHeadersMiddleware:
    """Adds the same protective headers to every response (a plain ASGI middleware: it only edits the
    response's start, so it costs the platform API's requests nearly nothing)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # A shared or family device must not keep a victim's pages in its cache.
        no_store = not str(scope.get("path", "")).startswith("/static/")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present = {name.lower() for name, _value in headers}
                headers.extend(h for h in SECURITY_HEADERS if h[0] not in present)
                if no_store and b"cache-control" not in present:
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


# Routes whose body may be as big as an evidence upload; every other body is small (forms, hash batches).
UPLOAD_PATHS = re.compile(r"^/case/[^/]+/evidence$")
TOO_LARGE = (
    "This upload is too big for us to take in one go. Please send fewer files at a time, "
    "or smaller ones. Nothing from it was kept."
)


class BodyTooLarge(HTTPException):
    """The request body went past its limit while it was being read."""

    def __init__(self) -> None:
        super().__init__(status_code=413, detail=TOO_LARGE)


class BodyLimitMiddleware:
    """Refuse a request whose body is larger than its route's limit: at once when Content-Length says so,
    and the moment the bytes read go past it when it does not (or lies)."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int, max_upload_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_upload_bytes = max_upload_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        limit = self.max_upload_bytes if UPLOAD_PATHS.match(path) else self.max_body_bytes
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _too_large(scope)(scope, receive, send)
            return
        seen = 0

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge()
            return message

        await self.app(scope, limited_receive, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _too_large(scope: Scope) -> Response:
    # The connection is closed after this answer, so the client's unread body is never taken in.
    headers = {"Connection": "close"}
    if str(scope.get("path", "")).startswith("/api/"):
        return JSONResponse({"detail": TOO_LARGE}, status_code=413, headers=headers)
    from sxr.web.templating import templates

    return templates.TemplateResponse(
        Request(scope),
        "error.html",
        {"status_code": 413, "detail": TOO_LARGE},
        status_code=413,
        headers=headers,
    )


def require_same_origin(request: Request) -> None:
    """Refuse form posts sent from another site (the token in the path is the capability, but still)."""
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        # Modern browsers say where a request came from; trust that over Origin, which our
        # no-referrer policy turns into "null" even for this site's own forms.
        allowed = site in ("same-origin", "none")
    else:
        origin = request.headers.get("origin")
        allowed = origin in (None, "null", f"{request.url.scheme}://{request.url.netloc}")
    if not allowed:
        raise HTTPException(status_code=403, detail="This form can only be sent from this website.")
