"""Settings: one pydantic-settings object, composed from sections, read from `SXR_` variables.

Nothing else in sxr reads the environment: a setting is a field here, in `Settings` or in a domain's
section class that `Settings` is composed from (`WatchlistSection`; the watchlist takes it from
`sxr.watchlist.settings`). Sections live here because config is the foundation layer that every package
may import (docs/architecture.md). The README's table of settings is checked against these fields by a test.
"""

from __future__ import annotations

import base64
import binascii
import os
import sys
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# `make run` writes the deployment it serves here (an absolute SXR_DATA_DIR, and SXR_DATABASE_URL when it
# was given one), so `.venv/bin/sxr` opens the same database from any folder. Only read when the
# environment names no data dir of its own: SXR_DATA_DIR picks a deployment, and every setting of it.
RECORDED_DEPLOYMENT = Path(sys.prefix) / "sxr.env"
RECORDED_NAMES = ("SXR_DATA_DIR", "SXR_DATABASE_URL")


class SettingsError(ValueError):
    """The settings in the environment cannot be used (one readable sentence per problem)."""


def checkout_dir() -> Path | None:
    """The source checkout sxr runs from (an editable install), or None for an installed package."""
    root = Path(__file__).resolve().parents[2]
    if (root / "pyproject.toml").is_file() and (root / "src" / "sxr" / "config.py").is_file():
        return root
    return None


def default_data_dir() -> Path:
    """The checkout's ./data when sxr runs from a checkout, else the user's data folder (XDG)."""
    checkout = checkout_dir()
    if checkout is not None:
        return checkout / "data"
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "sxr"


def _is_base64_key(text: str, length: int = 32) -> bool:
    try:
        return len(base64.b64decode(text.strip(), validate=True)) == length
    except (binascii.Error, ValueError):
        return False


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


class Settings(BaseSettings, WatchlistSection):
    """The deployment's settings; every field can be set as `SXR_<NAME>`."""

    model_config = SettingsConfigDict(env_prefix="SXR_", extra="ignore")

    environment: Literal["development", "test", "production"] = Field(
        default="development",
        description="`production` refuses to start without SXR_MASTER_KEY and SXR_SIGNING_KEY, with "
        "SXR_COOKIE_SECURE=false, or with a webhook that has no secret",
    )
    data_dir: Path = Field(
        default_factory=default_data_dir,
        description="blobs, keys and the SQLite database; made absolute (default: the checkout's ./data, "
        "or ~/.local/share/sxr for an installed package)",
    )
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL (SQLite or PostgreSQL); SQLite in the data dir when unset"
    )
    host: str = Field(default="127.0.0.1", description="address `sxr serve` listens on")
    port: int = Field(default=8000, description="port `sxr serve` listens on")
    region: str = Field(
        default="GB-ENG",
        description="region whose emergency number, support services and quick-exit page victims see; "
        "its custom reads ambiguous dates",
    )
    operator_name: str = Field(
        default="the team that runs this service",
        max_length=120,
        description="who runs this service, as the victim's home page names it (for example a charity or "
        "a police force)",
    )
    reports_reach_police: bool = Field(
        default=False,
        description="whether the operator passes reports to the police; the home page says which, in words",
    )
    timezone: str = Field(default="Europe/London", description="zone for exports that give local times")
    phone_region: str = Field(
        default="GB", description="region for phone numbers written without a country code"
    )
    master_key: str | None = Field(
        default=None,
        description="base64 of 32 bytes; wraps every evidence blob's own key (a 0600 key file in the "
        "data dir when unset, outside production)",
    )
    signing_key: str | None = Field(
        default=None,
        description="Ed25519 key that signs report packs: base64 of its 32-byte seed, or PEM (a 0600 key "
        "file in the data dir when unset, outside production)",
    )
    max_file_bytes: int = Field(default=512 * 1024 * 1024, description="largest evidence file")
    max_case_bytes: int = Field(default=4 * 1024**3, description="all of one case's evidence together")
    max_upload_files: int = Field(default=200, description="files in one evidence upload")
    max_image_pixels: int = Field(default=100_000_000, description="largest picture read (pixels)")
    max_archive_members: int = Field(default=10_000, description="files in one zip or tar read")
    max_archive_unpacked_bytes: int = Field(default=2 * 1024**3, description="one archive, unpacked")
    max_archive_ratio: int = Field(default=100, description="unpacked size over packed size of an archive")
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
    vocalink_table: Path | None = Field(
        default=None,
        description="a copy of Vocalink's valacdos.txt: UK account numbers are then checked against their "
        "sort code's modulus rule",
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
    # The job queue (README "What runs where"): slow work (reading uploads, OCR, analysis, purges) runs in
    # `sxr worker` processes, off the request.
    queue_url: str = Field(
        default="",
        description="where queued jobs wait: empty, the embedded queue (SQLite in the data dir); "
        "`redis://HOST:6379/0` in production; `immediate` runs each job at once in the process that "
        "queues it (tests, scripts)",
    )
    serve_worker: bool = Field(
        default=True,
        description="`sxr serve` starts an `sxr worker` beside it; false when workers run elsewhere",
    )
    job_attempts: int = Field(default=4, ge=1, le=20, description="tries of a job before it fails for good")
    job_retry_seconds: float = Field(
        default=15.0, ge=0, description="wait before a failed job's first retry; doubled each time"
    )
    job_retry_max_seconds: float = Field(default=600.0, ge=0, description="longest wait between retries")
    job_lease_seconds: float = Field(
        default=60.0,
        gt=0,
        le=3600,
        description="a running job whose worker has not been heard from for this long is run again",
    )
    metrics_token: str | None = Field(
        default=None, description="bearer token that /metrics asks for; unset: loopback clients only"
    )
    test_crash_at: str = Field(
        default="",
        description="tests only, with SXR_ENVIRONMENT=test: `kind:N` kills `sxr keys rotate-master` at its "
        "Nth `kind` step, as a power cut would",
    )

    @field_validator("data_dir")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        # Absolute once, here: a relative path would mean a different folder from every working directory.
        return Path(os.path.abspath(value.expanduser()))

    @field_validator("queue_url")
    @classmethod
    def _known_queue(cls, value: str) -> str:
        value = value.strip()
        if value in ("", "immediate") or value.startswith(("redis://", "rediss://", "sqlite:///")):
            return value
        raise ValueError("SXR_QUEUE_URL must be empty (embedded), immediate, redis://... or sqlite:///PATH")

    @model_validator(mode="after")
    def _production_secrets(self) -> Settings:
        if self.environment != "production":
            return self
        problems = []
        if not self.master_key:
            problems.append("SXR_MASTER_KEY must be set (base64 of 32 random bytes), not left to a key file")
        elif not _is_base64_key(self.master_key):
            problems.append("SXR_MASTER_KEY must be base64 of exactly 32 bytes")
        if not self.signing_key:
            problems.append("SXR_SIGNING_KEY must be set (base64 of a 32-byte Ed25519 seed, or PEM)")
        elif not self.signing_key.lstrip().startswith("-----BEGIN") and not _is_base64_key(self.signing_key):
            problems.append("SXR_SIGNING_KEY must be base64 of a 32-byte Ed25519 seed, or PEM")
        if self.master_key and self.signing_key and self.master_key.strip() == self.signing_key.strip():
            problems.append("SXR_MASTER_KEY and SXR_SIGNING_KEY must be different keys")
        if not self.cookie_secure:
            problems.append("SXR_COOKIE_SECURE=false is for plain-HTTP development hosts only")
        if self.webhook_url and not self.webhook_secret:
            problems.append("SXR_WEBHOOK_URL needs SXR_WEBHOOK_SECRET, so the force can tell alerts are ours")
        if problems:
            raise ValueError("SXR_ENVIRONMENT is production, and " + "; ".join(problems))
        return self

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'sxr.sqlite3'}"

    def ensure_data_dir(self) -> Path:
        """The data dir, made if needed and kept private (0700): it holds the keys and the evidence."""
        self.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        if self.data_dir.stat().st_mode & 0o077:
            self.data_dir.chmod(0o700)
        return self.data_dir


def _explain(error: ValidationError) -> str:
    parts = []
    for problem in error.errors():
        field = "_".join(str(part) for part in problem.get("loc", ()))
        message = str(problem.get("msg", "")).removeprefix("Value error, ")
        parts.append(f"SXR_{field.upper()}: {message}" if field else message)
    return "; ".join(parts)


def recorded_deployment() -> Path | None:
    """The file `make run` recorded, when this process should read it (no SXR_DATA_DIR of its own)."""
    if "SXR_DATA_DIR" in os.environ or not RECORDED_DEPLOYMENT.is_file():
        return None
    return RECORDED_DEPLOYMENT


def data_dir_origin() -> str:
    """Where the data dir comes from, in words (for `sxr db where`)."""
    recorded = recorded_deployment()
    if "SXR_DATA_DIR" in os.environ:
        return "SXR_DATA_DIR"
    if recorded is not None:
        return f"recorded by `make run` in {recorded}"
    if checkout_dir() is not None:
        return "the checkout's ./data"
    return "the user's data folder"


def read_settings() -> Settings:
    """The settings as the environment says now (SettingsError with every problem in one sentence)."""
    try:
        return Settings(_env_file=recorded_deployment())
    except ValidationError as exc:
        raise SettingsError(_explain(exc)) from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process (cached; tests clear the cache after changing the environment)."""
    return read_settings()


def record_deployment(path: Path = RECORDED_DEPLOYMENT) -> Path:
    """Write the data dir (absolute) and database URL this environment names, for later commands (0600)."""
    try:
        settings = Settings(_env_file=None)  # this environment's own, not what was recorded before
    except ValidationError as exc:
        raise SettingsError(_explain(exc)) from None
    lines = [f"SXR_DATA_DIR={_quoted(str(settings.data_dir))}"]
    if settings.database_url:
        lines.append(f"SXR_DATABASE_URL={_quoted(settings.database_url)}")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write("# Written by `make run`: the deployment `sxr` opens when SXR_DATA_DIR is not set.\n")
        out.write("\n".join(lines) + "\n")
    return path


def _quoted(value: str) -> str:
    # python-dotenv's double-quoted form: backslash and quote escaped, the rest kept as written.
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
