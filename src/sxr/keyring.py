"""The deployment's keyring: the public facts of every key it has used, never a key itself.

`$SXR_DATA_DIR/keyring.json` lists the master key ids (a short public fingerprint of each key) and the
report-signing public keys, each with when it was taken into use and when it was retired. A retired
master key id lets an error name the key a stray blob needs; a retired signing public key lets
`sxr report verify` say that a pack was signed by this deployment before its key was rotated.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

KEYRING_FILE = "keyring.json"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class KeyRecord:
    """One key the deployment has used: its id (or fingerprint), public key if any, and dates."""

    id: str
    since: str | None = None
    retired_at: str | None = None
    public_key: str | None = None


@dataclass
class Keyring:
    """Master key ids and signing public keys, oldest first."""

    master: list[KeyRecord] = field(default_factory=list)
    signing: list[KeyRecord] = field(default_factory=list)

    def find_signing(self, fingerprint: str) -> KeyRecord | None:
        return next((r for r in self.signing if r.id == fingerprint), None)

    def find_master(self, key_id: str) -> KeyRecord | None:
        return next((r for r in self.master if r.id == key_id), None)

    def to_json(self) -> dict[str, Any]:
        return {"master": [asdict(r) for r in self.master], "signing": [asdict(r) for r in self.signing]}


class KeyringError(Exception):
    """The keyring file cannot be read."""


def _records(raw: Any, where: str) -> list[KeyRecord]:
    if not isinstance(raw, list):
        raise KeyringError(f"{where} is not a list")
    out = []
    for item in raw:
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            raise KeyringError(f"{where} holds an entry without an id")
        out.append(
            KeyRecord(
                id=item["id"],
                since=item.get("since"),
                retired_at=item.get("retired_at"),
                public_key=item.get("public_key"),
            )
        )
    return out


def load_keyring(data_dir: Path) -> Keyring:
    """The keyring in `data_dir` (empty when there is none yet)."""
    path = data_dir / KEYRING_FILE
    try:
        raw = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        return Keyring()
    except (OSError, ValueError) as exc:
        raise KeyringError(f"The keyring {path} cannot be read: {exc}") from exc
    if not isinstance(raw, dict):
        raise KeyringError(f"The keyring {path} is not a JSON object")
    return Keyring(
        master=_records(raw.get("master", []), f"{path} master"),
        signing=_records(raw.get("signing", []), f"{path} signing"),
    )


def save_keyring(data_dir: Path, keyring: Keyring) -> None:
    """Write the keyring whole (a temp file renamed into place)."""
    path = data_dir / KEYRING_FILE
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}")
    try:
        with open(tmp, "x", encoding="utf-8") as out:
            json.dump(keyring.to_json(), out, indent=2)
            out.write("\n")
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def record_rotation(
    data_dir: Path,
    kind: str,
    old_id: str,
    new_id: str,
    *,
    old_public: str | None = None,
    new_public: str | None = None,
) -> Keyring:
    """Mark `old_id` retired now and `new_id` in use from now, in the `kind` ("master"/"signing") list."""
    keyring = load_keyring(data_dir)
    records = keyring.master if kind == "master" else keyring.signing
    now = _now()
    old = next((r for r in records if r.id == old_id), None)
    if old is None:
        old = KeyRecord(id=old_id, public_key=old_public)
        records.append(old)
    if old.retired_at is None:
        old.retired_at = now
    if not any(r.id == new_id for r in records):
        records.append(KeyRecord(id=new_id, since=now, public_key=new_public))
    save_keyring(data_dir, keyring)
    return keyring


def describe_signer(data_dir: Path, fingerprint: str | None, current: str | None) -> dict[str, Any]:
    """Which of this deployment's signing keys `fingerprint` is: current, retired (when), or unknown."""
    if fingerprint is None:
        return {"fingerprint": None, "status": "unknown", "words": "no signing key named in the pack"}
    if fingerprint == current:
        return {
            "fingerprint": fingerprint,
            "status": "current",
            "words": "this deployment's current signing key",
        }
    try:
        record = load_keyring(data_dir).find_signing(fingerprint)
    except KeyringError:
        record = None
    if record is not None and record.retired_at is not None:
        since = f" from {record.since}" if record.since else ""
        return {
            "fingerprint": fingerprint,
            "status": "retired",
            "since": record.since,
            "retired_at": record.retired_at,
            "words": f"this deployment's signing key{since} until {record.retired_at} (retired since)",
        }
    return {
        "fingerprint": fingerprint,
        "status": "unknown",
        "words": "a key this deployment has not used: compare it with the key the service that built "
        "the pack publishes, or pass --public-key",
    }
