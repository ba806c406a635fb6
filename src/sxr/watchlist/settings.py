"""The watchlist's own settings (`SXR_` environment variables), kept here so config.py stays the lead's."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class WatchlistSettings(BaseSettings):
    """Webhook, match radius and platform rate limits."""

    model_config = SettingsConfigDict(env_prefix="SXR_", extra="ignore")

    webhook_url: str | None = Field(default=None, description="where alerts are POSTed (the force's system)")
    webhook_secret: str | None = Field(default=None, description="HMAC-SHA256 key for the webhook body")
    match_radius: int = Field(default=31, ge=0, le=64, description="PDQ Hamming distance that is a match")
    api_rate: float = Field(default=2000.0, gt=0, description="hashes a second each API key may look up")
    api_burst: float = Field(default=20000.0, gt=0, description="hashes an API key may look up at once")


def get_watchlist_settings() -> WatchlistSettings:
    """Read afresh each time: cheap, and tests change the environment."""
    return WatchlistSettings()
