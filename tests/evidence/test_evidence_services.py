"""The evidence locker on SQLite and PostgreSQL: add, dedupe, derive, export, verify, tamper, race."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from evidence_samples import CHAT, make_png, make_txt, make_zip
from sqlalchemy.orm import Session

from sxr.cases.models import Case
from sxr.cases.services import create_case
from sxr.config import Settings, get_settings
from sxr.db import session_factory
from sxr.evidence import services
from sxr.evidence.models import EvidenceItem, LedgerEntry
from sxr.evidence.services import DerivedContent, EvidenceRejected
from sxr.evidence.store import BlobStore, WrongMasterKey

MARKER = "MARKER-51c0ffee-plaintext-must-never-reach-disk"


@pytest.fixture
def session(database_url: str) -> Iterator[Session]:
    with session_factory(database_url)() as session:
        yield session


@pytest.fixture
def cfg(database_url: str) -> Settings:
    return get_settings()


@pytest.fixture
def case(session: Session) -> Case:
    case, _pin = create_case(session)
    session.commit()
    return case


def add(session: Session, cfg: Settings, case: Case, path: Path) -> EvidenceItem:
    return services.add_evidence(session, cfg, case, path, received_by="cli", derivers=()).item


def test_add_list_read_export(
    session: Session, cfg: Settings, case: Case, samples: Path, tmp_path: Path
) -> None:
    png = make_png(samples / "screenshot.png")
    txt = make_txt(samples / "chat.txt")
    items = [add(session, cfg, case, png), add(session, cfg, case, txt)]
    listed = services.list_evidence(session, case)
    assert [(i.original_name, i.kind, i.media_type) for i in listed] == [
        ("screenshot.png", "image", "image/png"),
        ("chat.txt", "chat_export", "text/plain"),
    ]
    assert services.read_original(cfg, items[0]) == png.read_bytes()
    assert items[1].sha256 == hashlib.sha256(txt.read_bytes()).hexdigest()

    out = tmp_path / "export"
    manifest_path = services.export_evidence(session, cfg, case, out, actor="cli")
    manifest = json.loads(manifest_path.read_text())
    assert [(r["name"], r["size"]) for r in manifest["items"]] == [
        ("screenshot.png", png.stat().st_size),
        ("chat.txt", txt.stat().st_size),
    ]
    assert all(r["received_at"] for r in manifest["items"])
    check = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=out, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.count(": OK") == 2
    actions = [e.action for e in session.scalars(sa.select(LedgerEntry).order_by(LedgerEntry.seq))]
    assert actions == ["received", "received", "exported"]
    with pytest.raises(EvidenceRejected, match="not empty"):
        services.export_evidence(session, cfg, case, out, actor="cli")


def test_the_same_file_is_stored_once(session: Session, cfg: Settings, case: Case, samples: Path) -> None:
    png = make_png(samples / "a.png")
    first = services.add_evidence(session, cfg, case, png, received_by="victim", derivers=())
    again = services.add_evidence(session, cfg, case, png, name="copy.png", received_by="victim", derivers=())
    assert again.duplicate and again.item.id == first.item.id
    other, _ = create_case(session)
    session.commit()
    elsewhere = services.add_evidence(session, cfg, other, png, received_by="victim", derivers=())
    assert not elsewhere.duplicate and elsewhere.item.case_id == other.id
    blobs = [p for p in (cfg.data_dir / "blobs").rglob("*") if p.is_file() and p.name != "key-id"]
    assert blobs == [BlobStore.for_settings(cfg).path_for(first.item.sha256)]
    assert services.verify(session, cfg).intact


def test_derivers_run_and_their_failures_never_lose_the_original(
    session: Session, cfg: Settings, case: Case, samples: Path
) -> None:
    def transcript(_session: Session, _settings: Settings, item: EvidenceItem) -> list[DerivedContent]:
        return [DerivedContent("conversation", "application/json", json.dumps({"of": item.sha256}).encode())]

    def broken(_session: Session, _settings: Settings, _item: EvidenceItem) -> None:
        raise ValueError("cannot read this export")

    added = services.add_evidence(
        session, cfg, case, make_txt(samples / "chat.txt"), received_by="cli", derivers=[transcript, broken]
    )
    assert len(added.warnings) == 1 and "cannot read this export" in added.warnings[0]
    derived = services.list_derived(session, added.item)
    assert [(d.kind, d.created_by) for d in derived] == [("conversation", transcript.__qualname__)]
    assert json.loads(services.read_derived(cfg, derived[0])) == {"of": added.item.sha256}
    entries = list(session.scalars(sa.select(LedgerEntry).order_by(LedgerEntry.seq)))
    assert [e.action for e in entries] == ["received", "derived", "warning"]
    assert "cannot read this export" in entries[2].details
    assert services.read_original(cfg, added.item) == CHAT.encode()
    assert services.verify(session, cfg, case).intact


def test_limits_per_file_case_and_upload(
    session: Session, case: Case, samples: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    txt = make_txt(samples / "chat.txt")
    for name, value in (
        ("SXR_MAX_FILE_BYTES", "50"),
        ("SXR_MAX_CASE_BYTES", "10000"),
        ("SXR_MAX_UPLOAD_FILES", "2"),
    ):
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    cfg = get_settings()
    with pytest.raises(EvidenceRejected, match="most we accept for one file"):
        services.add_evidence(session, cfg, case, txt, received_by="cli", derivers=())
    monkeypatch.setenv("SXR_MAX_FILE_BYTES", "100000")
    get_settings.cache_clear()
    cfg = get_settings()
    big = make_txt(samples / "big.txt", CHAT * 80)
    with pytest.raises(EvidenceRejected, match="over its space"):
        services.add_evidence(session, cfg, case, big, received_by="cli", derivers=())
    with pytest.raises(EvidenceRejected, match="at most 2"):
        services.check_upload(session, cfg, case, [txt, txt, txt])
    assert services.list_evidence(session, case) == []
    assert not [p for p in (cfg.data_dir / "blobs").rglob("*") if p.is_file() and p.name != "key-id"]


def test_no_plaintext_anywhere_under_the_data_dir(
    session: Session, cfg: Settings, case: Case, samples: Path
) -> None:
    add(session, cfg, case, make_txt(samples / "chat.txt", CHAT + MARKER + "\n"))
    stored_zip = samples / "export.zip"
    import zipfile

    with zipfile.ZipFile(stored_zip, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("_chat.txt", CHAT + MARKER)
    add(session, cfg, case, stored_zip)
    session.close()
    from sxr.db import dispose_engines

    dispose_engines()
    needles = [MARKER.encode(), MARKER.encode("utf-16-le"), MARKER[:20].encode()]
    scanned = 0
    for path in cfg.data_dir.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            scanned += 1
            for needle in needles:
                assert needle not in data, f"plaintext found in {path}"
    assert scanned >= 3


def test_verify_names_a_changed_blob_byte(session: Session, cfg: Settings, case: Case, samples: Path) -> None:
    item = add(session, cfg, case, make_txt(samples / "chat.txt"))
    keep = add(session, cfg, case, make_png(samples / "s.png"))
    blob = BlobStore.for_settings(cfg).path_for(item.sha256)
    original = blob.read_bytes()
    for offset in (0, 9, 30, 70, len(original) // 2, len(original) - 1):
        damaged = bytearray(original)
        damaged[offset] ^= 0x40
        blob.write_bytes(bytes(damaged))
        result = services.verify(session, cfg, case, record=False)
        assert len(result.problems) == 1, result.problems
        assert f"evidence item {item.id} (chat.txt)" in result.problems[0]
        assert f"evidence item {keep.id}" not in result.problems[0]
    blob.unlink()
    assert "missing" in services.verify(session, cfg, case, record=False).problems[0]
    blob.write_bytes(original)
    assert services.verify(session, cfg, case).intact


LEDGER_CHANGES = {
    "action": "'exported'",
    "actor": "'staff:mallory'",
    "details": "'{}'",
    "sha256": "'" + "a" * 64 + "'",
    "prev_hash": "'" + "b" * 64 + "'",
    "entry_hash": "'" + "c" * 64 + "'",
    "evidence_item_id": "999",
    "at": "created_at",
}


def test_verify_names_a_changed_ledger_row(
    session: Session, cfg: Settings, case: Case, samples: Path
) -> None:
    for index in range(3):
        add(session, cfg, case, make_txt(samples / f"chat{index}.txt", CHAT * (index + 1)))
    for column, value in LEDGER_CHANGES.items():
        if column == "at":
            value = "(SELECT created_at FROM cases WHERE cases.id = ledger_entries.case_id)"
        saved = session.execute(sa.text(f"SELECT {column} FROM ledger_entries WHERE seq = 2")).scalar()
        session.execute(sa.text(f"UPDATE ledger_entries SET {column} = {value} WHERE seq = 2"))
        session.commit()
        problems = services.verify(session, cfg, case, record=False).problems
        assert any("ledger entry 2 " in p for p in problems), (column, problems)
        session.execute(sa.text(f"UPDATE ledger_entries SET {column} = :v WHERE seq = 2"), {"v": saved})
        session.commit()
        assert services.verify(session, cfg, case, record=False).intact, column


def test_verify_notices_removed_and_reordered_entries(
    session: Session, cfg: Settings, case: Case, samples: Path
) -> None:
    for index in range(3):
        add(session, cfg, case, make_txt(samples / f"chat{index}.txt", CHAT * (index + 1)))
    session.execute(sa.text("DELETE FROM ledger_entries WHERE seq = 3"))
    session.commit()
    problems = services.verify(session, cfg, case, record=False).problems
    assert any("removed" in p for p in problems)
    assert any("has no 'received' ledger entry" in p for p in problems)
    session.execute(sa.text("UPDATE ledger_entries SET seq = 9 WHERE seq = 1"))
    session.commit()
    assert any("ledger entry" in p for p in services.verify(session, cfg, case, record=False).problems)


def test_verify_names_a_changed_item_record(
    session: Session, cfg: Settings, case: Case, samples: Path
) -> None:
    item = add(session, cfg, case, make_txt(samples / "chat.txt"))
    session.execute(
        sa.text("UPDATE evidence_items SET original_name = 'other.txt' WHERE id = :id"), {"id": item.id}
    )
    session.commit()
    problems = services.verify(session, cfg, case, record=False).problems
    assert problems == [
        f"evidence item {item.id} (other.txt) of case {case.reference}: "
        "its record differs from its 'received' ledger entry 1"
    ]


def test_a_wrong_master_key_is_a_clear_error(
    session: Session, cfg: Settings, case: Case, samples: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    add(session, cfg, case, make_txt(samples / "chat.txt"))
    monkeypatch.setenv("SXR_MASTER_KEY", base64.b64encode(os.urandom(32)).decode())
    get_settings.cache_clear()
    with pytest.raises(WrongMasterKey, match="different master key"):
        services.verify(session, get_settings(), case, record=False)
    with pytest.raises(WrongMasterKey, match="different master key"):
        services.add_evidence(
            session, get_settings(), case, make_png(samples / "new.png"), received_by="cli", derivers=()
        )
    assert len(services.list_evidence(session, case)) == 1
    # Without the store's key record, verify still names the item rather than reading garbage.
    (cfg.data_dir / "blobs" / "key-id").unlink()
    problems = services.verify(session, get_settings(), case, record=False).problems
    assert len(problems) == 1 and "different master key" in problems[0]


def test_two_uploads_at_once_never_break_the_chain(
    database_url: str, cfg: Settings, case: Case, samples: Path
) -> None:
    files = [
        [make_txt(samples / f"u{u}-{i}.txt", f"{CHAT}upload {u} file {i}\n") for i in range(8)]
        for u in range(2)
    ]
    files[1].append(files[0][0])  # the same file in both uploads
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def upload(paths: list[Path]) -> None:
        try:
            with session_factory(database_url)() as own:
                own_case = own.get(Case, case.id)
                assert own_case is not None
                start.wait()
                for path in paths:
                    services.add_evidence(own, cfg, own_case, path, received_by="victim", derivers=())
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=upload, args=(paths,)) for paths in files]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    with session_factory(database_url)() as check:
        seqs = list(check.scalars(sa.select(LedgerEntry.seq).order_by(LedgerEntry.seq)))
        assert seqs == list(range(1, 17))
        assert len(services.list_evidence(check, case)) == 16
        result = services.verify(check, cfg, case, record=False)
        assert result.intact, result.problems


def test_zip_chat_export_is_kept_whole(session: Session, cfg: Settings, case: Case, samples: Path) -> None:
    path = make_zip(samples / "WhatsApp Chat with Alex.zip")
    item = add(session, cfg, case, path)
    assert item.kind == "archive" and services.read_original(cfg, item) == path.read_bytes()
