"""Alerts pushed to the force's own system: a JSON POST signed with HMAC-SHA256, retried in the background."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
import time
from typing import Any

import httpx

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Sxr-Signature"
RETRY_DELAYS = (0.0, 1.0, 4.0, 15.0)


def sign(body: bytes, secret: str) -> str:
    """The signature header's value: `sha256=` and the hex HMAC-SHA256 of the exact body bytes."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(body: bytes, secret: str, header: str) -> bool:
    """Whether `header` is the signature of `body` (for receivers, and tests)."""
    return hmac.compare_digest(sign(body, secret), header)


def deliver(
    url: str, secret: str | None, payload: dict[str, Any], delays: tuple[float, ...] = RETRY_DELAYS
) -> bool:
    """POST `payload` until a 2xx answer or the retries run out; returns whether it was delivered."""
    body = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
    headers = {"Content-Type": "application/json"}
    if secret:
        headers[SIGNATURE_HEADER] = sign(body, secret)
    for attempt, delay in enumerate(delays, start=1):
        time.sleep(delay)
        try:
            response = httpx.post(url, content=body, headers=headers, timeout=10.0)
        except httpx.HTTPError as exc:
            logger.warning("webhook attempt %d failed: %s", attempt, exc.__class__.__name__)
            continue
        if 200 <= response.status_code < 300:
            return True
        logger.warning("webhook attempt %d answered %d", attempt, response.status_code)
    logger.error("webhook gave up after %d attempts", len(delays))
    return False


def send_in_background(url: str, secret: str | None, payload: dict[str, Any]) -> threading.Thread:
    """Deliver without holding up the caller (a platform's match request must stay fast)."""
    thread = threading.Thread(target=deliver, args=(url, secret, payload), daemon=True, name="sxr-webhook")
    thread.start()
    return thread
