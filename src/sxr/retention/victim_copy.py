"""A victim's own copy of everything their report holds, as one zip they can keep.

The zip holds their answers, every evidence original (decrypted), everything read from it (derived
items), the hashes (SHA-256 of each file, and the picture and video codes on the watchlist), and the
report's ledger. Writing it is an "exported" ledger entry, as any original leaving the locker is.
"""

from __future__ import annotations

import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sxr.cases.models import Case
from sxr.cases.sealing import unseal
from sxr.clock import as_utc
from sxr.config import Settings
from sxr.evidence import ledger
from sxr.evidence.models import DerivedItem, EvidenceItem
from sxr.evidence.store import BlobStore
from sxr.watchlist.models import WatchlistEntry

README = """\
This is your report, as we hold it.

your-answers.json   what you told us when you started your report
evidence/           every file you (or our team) added, exactly as it was sent
readings/           what we read from those files (messages, dates, details)
hashes.json         a fingerprint (SHA-256) of every file, and the codes of pictures and videos
                    we look out for on other websites
ledger.json         the record of everything that happened to your files, in order

Keep this file somewhere safe and private. It holds everything you sent us.
"""

# Derived items' media types as file endings in the zip.
_ENDINGS = {"application/json": ".json", "text/plain": ".txt", "image/png": ".png", "text/csv": ".csv"}
_UNSAFE = re.compile(r"[^\w .()+-]+")


@dataclass(frozen=True)
class VictimCopy:
    """What went into a copy: how many files and bytes."""

    evidence_items: int
    derived_items: int
    watchlist_entries: int
    bytes: int


def _safe_name(name: str) -> str:
    # Names in a zip that no unzip tool reads as a path: no separators, no dots in front.
    return (_UNSAFE.sub("_", name).strip(" ._") or "file")[:120]


def _when(moment: Any) -> str | None:
    return None if moment is None else as_utc(moment).isoformat()


def _write_evidence(
    zf: zipfile.ZipFile, store: BlobStore, items: list[EvidenceItem], hashes: dict[str, Any]
) -> tuple[dict[int, str], int]:
    """Each piece of evidence as the victim sent it; returns their names in the zip and their bytes."""
    names: dict[int, str] = {}
    total = 0
    for item in items:
        name = f"evidence/{item.id:05d}-{_safe_name(item.original_name)}"
        names[item.id] = name
        # Pictures, videos and zips are packed already: stored as they are, not squeezed again.
        packed = item.kind in ("image", "video", "archive")
        info = zipfile.ZipInfo(name, date_time=as_utc(item.received_at).timetuple()[:6])
        info.compress_type = zipfile.ZIP_STORED if packed else zipfile.ZIP_DEFLATED
        with zf.open(info, "w", force_zip64=True) as dest:
            for chunk in store.open(item.sha256):
                dest.write(chunk)
        total += item.size
        hashes["evidence"].append(
            {
                "file": name,
                "name": item.original_name,
                "sha256": item.sha256,
                "size": item.size,
                "received": _when(item.received_at),
            }
        )
    return names, total


def _write_readings(
    zf: zipfile.ZipFile,
    store: BlobStore,
    derived: list[DerivedItem],
    names: dict[int, str],
    hashes: dict[str, Any],
) -> int:
    """What sxr read from the evidence (text, frames); returns their bytes."""
    total = 0
    for d in derived:
        name = f"readings/{d.id:05d}-{_safe_name(d.kind)}{_ENDINGS.get(d.media_type, '.bin')}"
        zf.writestr(name, store.read(d.sha256))
        total += d.size
        hashes["readings"].append(
            {
                "file": name,
                "read_from": names.get(d.evidence_item_id),
                "kind": d.kind,
                "sha256": d.sha256,
                "made": _when(d.created_at),
                "replaced_by_a_later_reading": d.superseded_at is not None,
            }
        )
    return total


def _watchlist_rows(entries: list[WatchlistEntry]) -> list[dict[str, Any]]:
    return [
        {
            "id": entry.public_id,
            "type": entry.type,
            "value": entry.value,
            "quality": entry.quality,
            "frames": [{"frame": f.frame, "hash": f.hash, "quality": f.quality} for f in entry.frames],
            "added": _when(entry.created_at),
        }
        for entry in entries
    ]


def _ledger_rows(session: Session, case_id: int) -> list[dict[str, Any]]:
    return [
        {
            "seq": e.seq,
            "action": e.action,
            "evidence_item_id": e.evidence_item_id,
            "derived_item_id": e.derived_item_id,
            "sha256": e.sha256,
            "actor": e.actor,
            "at": _when(e.at),
            "details": json.loads(e.details),
            "prev_hash": e.prev_hash,
            "entry_hash": e.entry_hash,
        }
        for e in ledger.entries(session, case_id)
    ]


def write_victim_copy(
    session: Session, settings: Settings, case: Case, out: Path, *, store: BlobStore | None = None
) -> VictimCopy:
    """Write the case's whole copy to `out` (a zip); adds an "exported" ledger entry (the caller commits)."""
    store = store or BlobStore.for_settings(settings)
    items = list(
        session.scalars(select(EvidenceItem).where(EvidenceItem.case_id == case.id).order_by(EvidenceItem.id))
    )
    item_ids = [i.id for i in items]
    derived = (
        list(
            session.scalars(
                select(DerivedItem).where(DerivedItem.evidence_item_id.in_(item_ids)).order_by(DerivedItem.id)
            )
        )
        if item_ids
        else []
    )
    entries = list(
        session.scalars(
            select(WatchlistEntry).where(WatchlistEntry.case_id == case.id).order_by(WatchlistEntry.id)
        )
    )
    answers = {
        "reference": case.reference,
        "started": _when(case.created_at),
        "status": case.status,
        "age": case.age_band,
        "platforms": case.platform_list,
        "what_happened": unseal(settings, case.what_happened),
    }
    hashes: dict[str, Any] = {"evidence": [], "readings": [], "watchlist": []}
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
        zf.writestr("README.txt", README)
        zf.writestr("your-answers.json", json.dumps(answers, indent=2, ensure_ascii=False))
        names, total = _write_evidence(zf, store, items, hashes)
        total += _write_readings(zf, store, derived, names, hashes)
        hashes["watchlist"].extend(_watchlist_rows(entries))
        zf.writestr("hashes.json", json.dumps(hashes, indent=2, ensure_ascii=False))
        zf.writestr("ledger.json", json.dumps(_ledger_rows(session, case.id), indent=2, ensure_ascii=False))
    copy = VictimCopy(len(items), len(derived), len(entries), total)
    ledger.append(
        session,
        case.id,
        "exported",
        actor="victim",
        details={
            "export": "victim's own copy",
            "evidence_items": copy.evidence_items,
            "derived_items": copy.derived_items,
        },
    )
    return copy
