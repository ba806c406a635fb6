"""The watchlist's section of the settings (`sxr.config.Settings` is composed from it): a plain model,
so this module imports nothing of sxr and config.py can take it in."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

if TYPE_CHECKING:
    from sxr.config import Settings


class WatchlistSection(BaseModel):
    """Webhook, match radius, platform rate limits and the per-case quota (`SXR_` variables as named)."""

    webhook_url: str | None = Field(default=None, description="where alerts are POSTed (the force's system)")
    webhook_secret: str | None = Field(default=None, description="HMAC-SHA256 key for the webhook body")
    match_radius: int = Field(default=31, ge=0, le=64, description="PDQ Hamming distance that is a match")
    api_rate: float = Field(default=2000.0, gt=0, description="hashes a second each API key may look up")
    api_burst: float = Field(default=20000.0, gt=0, description="hashes an API key may look up at once")
    # The watchlist's quota per case on hashes the victim banked that staff have not reviewed yet
    # (watchlist/NOTES.md says why these numbers); reviewing frees the quota.
    watchlist_case_pictures: int = Field(
        default=2000, ge=0, description="PDQ and MD5 hashes per case waiting for review"
    )
    watchlist_case_videos: int = Field(
        default=100, ge=0, description="vPDQ videos per case waiting for review"
    )
    watchlist_case_frames: int = Field(
        default=200_000, ge=0, description="vPDQ frames in all of a case's videos waiting for review"
    )


def get_watchlist_settings() -> Settings:
    """The deployment's settings read afresh (cheap, and tests change the environment between calls)."""
    from sxr.config import read_settings

    return read_settings()
