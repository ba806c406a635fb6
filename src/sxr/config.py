"""Settings: one pydantic-settings class, read from `SXR_` environment variables."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """The deployment's settings; every field can be set as `SXR_<NAME>`."""

    model_config = SettingsConfigDict(env_prefix="SXR_", extra="ignore")

    environment: str = Field(default="development", description="development | test | production")
    data_dir: Path = Field(default=Path("data"), description="where blobs, keys and the SQLite database live")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; SQLite in data_dir when unset"
    )
    host: str = "127.0.0.1"
    port: int = 8000
    region: str = Field(
        default="GB-ENG",
        description="the region whose support services a plan lists; its custom reads ambiguous dates",
    )
    timezone: str = Field(default="Europe/London", description="zone for exports that give local times")
    phone_region: str = Field(
        default="GB", description="default region for phone numbers without a country code"
    )
    master_key: str | None = Field(
        default=None, description="base64 32-byte key that wraps evidence data keys"
    )
    secret_key: str | None = Field(
        default=None, description="signs staff sessions; a file in data_dir when unset"
    )
    max_file_bytes: int = 512 * 1024 * 1024
    max_case_bytes: int = 4 * 1024 * 1024 * 1024
    max_upload_files: int = 200
    max_image_pixels: int = 100_000_000
    max_archive_members: int = 10_000
    max_archive_unpacked_bytes: int = 2 * 1024**3
    max_archive_ratio: int = 100
    neutral_exit_url: str = "https://www.bbc.co.uk/weather"
    max_body_bytes: int = Field(
        default=2 * 1024 * 1024, description="largest request body outside evidence uploads (forms, hashes)"
    )
    max_upload_bytes: int = Field(
        default=1024 * 1024 * 1024, description="largest evidence upload request (all its files together)"
    )
    trusted_proxies: str = Field(
        default="",
        description="comma-separated addresses or networks of reverse proxies whose X-Forwarded-For is "
        "believed; empty: the connection's own address is the client's",
    )
    cookie_secure: bool = Field(
        default=True, description="staff cookies carry Secure; false only for plain-HTTP development hosts"
    )
    rate_limits: bool = Field(default=True, description="per-address and global limits on anonymous routes")
    import_helper: bool = Field(
        default=True, description="read big Meta downloads with a second process (parse ahead) on 2+ cores"
    )
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

    # Retention (README "Retention and erasure" says what each means for a data protection officer).
    retention_empty_report_days: int = Field(
        default=30, ge=1, description="days after its last use that a report with nothing in it is deleted"
    )
    retention_closed_case_days: int = Field(
        default=730, ge=1, description="days after a case was closed (or last added to) that it is deleted"
    )
    retention_review_days: int = Field(
        default=30, ge=0, description="days before its deletion that a closed case is listed for review"
    )
    metrics_token: str | None = Field(
        default=None, description="bearer token that /metrics asks for; unset: loopback clients only"
    )

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'sxr.sqlite3').resolve()}"

    def ensure_data_dir(self) -> Path:
        """The data dir, made if needed and kept private (0700): it holds the keys and the evidence."""
        self.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        if self.data_dir.stat().st_mode & 0o077:
            self.data_dir.chmod(0o700)
        return self.data_dir


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process (cached; tests clear the cache after changing the environment)."""
    return Settings()
