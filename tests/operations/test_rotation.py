"""`sxr keys rotate-master | rotate-signing`: keys change, evidence stays, old packs still verify."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import signal
import struct
import zipfile
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from ops_helpers import make_cases, sxr
from sqlalchemy import select
from typer.testing import CliRunner

from sxr.cases.models import Case
from sxr.cases.sealing import sealed_key_id, unseal
from sxr.cli import app
from sxr.config import Settings, get_settings
from sxr.db import dispose_engines, session_scope
from sxr.evidence.models import DerivedItem, EvidenceItem, LedgerEntry
from sxr.evidence.store import HEADER_SIZE, BlobStore, WrongMasterKey
from sxr.keyring import load_keyring
from sxr.master_key import key_id, load_master_key
from sxr.pipeline.derivers import DERIVERS

SLOT_0 = slice(28, 96)
SLOT_1 = slice(96, 164)


def write_v1_blob(store: BlobStore, master: bytes, data: bytes) -> str:
    """A blob in the first format (SXRBLOB1: every chunk bound to the whole header), as sxr once wrote it."""
    magic, kid = b"SXRBLOB1", key_id(master)
    data_key, wrap_nonce = secrets.token_bytes(32), secrets.token_bytes(12)
    wrapped = AESGCM(master).encrypt(wrap_nonce, data_key, magic + kid)
    header = struct.pack(">8s8sI12s48s", magic, kid, 1024 * 1024, wrap_nonce, wrapped)
    body = AESGCM(data_key).encrypt(bytes(11) + b"\x01", data, header)
    sha256 = hashlib.sha256(data).hexdigest()
    path = store.path_for(sha256)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(header + body)
    return sha256


def _blob_shas(url: str) -> set[str]:
    with session_scope(url) as session:
        return set(session.scalars(select(EvidenceItem.sha256))) | set(
            session.scalars(select(DerivedItem.sha256))
        )


def _rekeyed(url: str) -> dict[int, int]:
    with session_scope(url) as session:
        counts: dict[int, int] = {}
        for entry in session.scalars(select(LedgerEntry).where(LedgerEntry.action == "rekeyed")):
            counts[entry.case_id] = counts.get(entry.case_id, 0) + 1
        return counts


def _audited(url: str, action: str) -> list[str | None]:
    from sxr.audit.models import AuditEvent

    with session_scope(url) as session:
        return list(session.scalars(select(AuditEvent.subject).where(AuditEvent.action == action)))


def test_rotate_master_rewraps_keys_and_leaves_content_alone(
    database_url: str, settings: Settings, tmp_path: Path
) -> None:
    settings = get_settings()
    make_cases(database_url, settings, tmp_path / "in", cases=2, files=2)
    old_key = load_master_key(settings)
    store = BlobStore.for_settings(settings)
    # One blob in the first format, added as evidence of a third case.
    old_format = b"an export kept since before blob format 2 " * 10
    sha_v1 = write_v1_blob(store, old_key, old_format)
    (tmp_path / "old.txt").write_bytes(old_format)
    from sxr.cases.services import create_case
    from sxr.evidence.services import add_evidence

    with session_scope(database_url) as session:
        case, _ = create_case(session)
        session.commit()
        add_evidence(session, settings, case, tmp_path / "old.txt", received_by="victim", derivers=DERIVERS)
    shas = _blob_shas(database_url)
    before = {sha: store.path_for(sha).read_bytes() for sha in shas}
    assert before[sha_v1].startswith(b"SXRBLOB1")
    with session_scope(database_url) as session:
        words = {c.id: unseal(settings, c.what_happened) for c in session.scalars(select(Case))}
        reference = session.get(Case, 1).reference  # type: ignore[union-attr]
    before_pack = tmp_path / "before.zip"
    built = CliRunner().invoke(app, ["report", "build", reference, "--out", str(before_pack)])
    assert built.exit_code == 0, built.output

    done = CliRunner().invoke(app, ["keys", "rotate-master", "--json"])
    assert done.exit_code == 0, done.output
    doc = json.loads(done.stdout)
    assert doc["cases"] == 3 and doc["fields_resealed"] == 2
    assert doc["blobs_reencrypted"] == 1 and doc["blobs_rewrapped"] == len(shas) - 1

    new_key = load_master_key(settings)
    assert new_key != old_key and doc["new_key_id"] == key_id(new_key).hex()
    new_store = BlobStore.for_settings(settings)
    for sha, raw in before.items():
        after = new_store.path_for(sha).read_bytes()
        assert not store.path_for(sha).exists(), "the old name is gone: names are keyed by the master key"
        assert key_id(old_key) not in after[:HEADER_SIZE]
        if raw.startswith(b"SXRBLOB2"):
            # Only the key slots changed: the fixed header and every encrypted chunk are the same bytes.
            assert after[:28] == raw[:28] and after[HEADER_SIZE:] == raw[HEADER_SIZE:]
        assert b"".join(new_store.open(sha)) != b"" or sha == hashlib.sha256(b"").hexdigest()
    assert new_store.read(sha_v1) == old_format
    with pytest.raises(WrongMasterKey):
        BlobStore(store.root, old_key)

    assert sorted(_rekeyed(database_url).values()) == [1, 1, 1]
    with session_scope(database_url) as session:
        for case in session.scalars(select(Case)):
            assert unseal(settings, case.what_happened) == words[case.id]
            if case.what_happened:
                assert sealed_key_id(case.what_happened) == key_id(new_key).hex()
    keyring = load_keyring(settings.data_dir)
    assert [(r.id, r.retired_at is not None) for r in keyring.master] == [
        (key_id(old_key).hex(), True),
        (key_id(new_key).hex(), False),
    ]
    assert not (settings.data_dir / "master.key.next").exists()
    assert _audited(database_url, "keys.rotate-master") == [f"{doc['old_key_id']} -> {doc['new_key_id']}"]
    verified = CliRunner().invoke(app, ["evidence", "verify"])
    assert verified.exit_code == 0, verified.output

    # A pack built before the rotation still verifies; one built after holds the same originals.
    after_pack = tmp_path / "after.zip"
    built = CliRunner().invoke(app, ["report", "build", reference, "--out", str(after_pack)])
    assert built.exit_code == 0, built.output
    for pack in (before_pack, after_pack):
        checked = CliRunner().invoke(app, ["report", "verify", str(pack)])
        assert checked.exit_code == 0, checked.output
    with zipfile.ZipFile(before_pack) as first, zipfile.ZipFile(after_pack) as second:
        originals = sorted(n for n in first.namelist() if n.startswith("evidence/"))
        assert originals and originals == sorted(n for n in second.namelist() if n.startswith("evidence/"))
        assert all(first.read(n) == second.read(n) for n in originals)


@pytest.mark.slow
@pytest.mark.parametrize("crash", ["case:2", "blob:3"])
def test_a_rotation_killed_part_way_resumes(
    sqlite_url: str, settings: Settings, tmp_path: Path, crash: str
) -> None:
    """A real `sxr keys rotate-master` process is killed (SIGKILL) after its 2nd case or 3rd blob; the
    deployment refuses to open the evidence until the rotation is run again, which finishes it."""
    make_cases(sqlite_url, settings, tmp_path / "in", cases=4, files=2)
    dispose_engines()
    old_id = key_id(load_master_key(settings)).hex()
    killed = sxr("keys", "rotate-master", env={"SXR_TEST_CRASH_AT": crash})
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert (settings.data_dir / "blobs" / "rotating").exists()
    partial = _rekeyed(sqlite_url)
    assert len(partial) == (2 if crash == "case:2" else 0)

    refused = sxr("evidence", "verify")
    assert refused.returncode == 1 and "rotation of the evidence" in refused.stderr
    assert "run `sxr keys rotate-master` again" in refused.stderr

    resumed = sxr("keys", "rotate-master", "--json")
    assert resumed.returncode == 0, resumed.stderr
    doc = json.loads(resumed.stdout)
    assert doc["resumed"] and doc["old_key_id"] == old_id
    assert doc["cases_already_done"] == len(partial) and doc["cases"] == 4 - len(partial)
    assert sorted(_rekeyed(sqlite_url).values()) == [1, 1, 1, 1]
    verified = sxr("evidence", "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr


def test_rekey_finishes_every_torn_state(tmp_path: Path) -> None:
    """Each state a crash can leave one blob in (new slot half-written, both slots full, old slot
    zeroed but not renamed) is finished by running `rekey` again."""
    old_key, new_key = os.urandom(32), os.urandom(32)
    root = tmp_path / "blobs"
    data = os.urandom(3000)
    sha = BlobStore(root, old_key).put_bytes(data).sha256
    old, new = BlobStore(root, old_key, rotating=True), BlobStore(root, new_key, rotating=True)
    original = old.path_for(sha).read_bytes()
    assert old.rekey(sha, new) == "rewrapped"
    rotated = new.path_for(sha).read_bytes()
    assert rotated[SLOT_0] == bytes(68) and rotated[SLOT_1][:8] == key_id(new_key)

    half = bytearray(original)
    half[SLOT_1] = os.urandom(68)  # the new slot torn by the crash
    both = bytearray(original)
    both[SLOT_1] = rotated[SLOT_1]  # written, the old one not yet zeroed
    zeroed = bytearray(rotated)  # both writes done, not yet renamed
    for state in (half, both, zeroed):
        new.path_for(sha).unlink()
        old.path_for(sha).write_bytes(bytes(state))
        assert old.rekey(sha, new) == "rewrapped"
        after = new.path_for(sha).read_bytes()
        assert not old.path_for(sha).exists()
        assert after[HEADER_SIZE:] == original[HEADER_SIZE:]
        assert bytes(68) in (after[SLOT_0], after[SLOT_1]) and key_id(old_key) not in after[:HEADER_SIZE]
        assert new.read(sha) == data
    assert old.rekey(sha, new) == "done"


def test_an_environment_key_needs_the_new_key_given(
    sqlite_url: str, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = base64.b64encode(os.urandom(32)).decode()
    monkeypatch.setenv("SXR_MASTER_KEY", key)
    get_settings.cache_clear()
    make_cases(sqlite_url, get_settings(), tmp_path / "in", cases=1, files=1)
    refused = CliRunner().invoke(app, ["keys", "rotate-master"])
    assert refused.exit_code == 1 and "give the new key with --new-key-file FILE" in refused.stderr
    new_file = tmp_path / "new.key"
    new_key = os.urandom(32)
    new_file.write_text(base64.b64encode(new_key).decode())
    done = CliRunner().invoke(app, ["keys", "rotate-master", "--new-key-file", str(new_file)])
    assert done.exit_code == 0, done.output
    assert "Now set SXR_MASTER_KEY to the new key" in done.stderr
    assert not (settings.data_dir / "master.key").exists()
    with pytest.raises(WrongMasterKey, match=key_id(new_key).hex()):  # the old key refused, by id
        BlobStore.for_settings(get_settings())
    monkeypatch.setenv("SXR_MASTER_KEY", base64.b64encode(new_key).decode())
    get_settings.cache_clear()
    verified = CliRunner().invoke(app, ["evidence", "verify"])
    assert verified.exit_code == 0, verified.output


def test_rotate_signing_keeps_old_packs_verifying(
    sqlite_url: str, settings: Settings, tmp_path: Path
) -> None:
    (reference,) = make_cases(sqlite_url, settings, tmp_path / "in", cases=1, files=1)
    runner = CliRunner()
    first, second = tmp_path / "first.zip", tmp_path / "second.zip"
    built = runner.invoke(app, ["report", "build", reference, "--out", str(first), "--json"])
    assert built.exit_code == 0, built.output
    old_fp = json.loads(built.stdout)["fingerprint"]

    rotated = runner.invoke(app, ["keys", "rotate-signing", "--json"])
    assert rotated.exit_code == 0, rotated.output
    doc = json.loads(rotated.stdout)
    assert doc["old_fingerprint"] == old_fp and doc["new_fingerprint"] != old_fp
    assert _audited(sqlite_url, "keys.rotate-signing") == [f"{old_fp} -> {doc['new_fingerprint']}"]
    built = runner.invoke(app, ["report", "build", reference, "--out", str(second), "--json"])
    assert json.loads(built.stdout)["fingerprint"] == doc["new_fingerprint"]

    old_pack = runner.invoke(app, ["report", "verify", str(first)])
    assert old_pack.exit_code == 0, old_pack.output
    assert f"signed by {old_fp}: this deployment's signing key" in old_pack.stdout
    assert "(retired since)" in old_pack.stdout
    new_pack = runner.invoke(app, ["report", "verify", str(second), "--json"])
    assert json.loads(new_pack.stdout)["signer"]["status"] == "current"
    old_json = json.loads(runner.invoke(app, ["report", "verify", str(first), "--json"]).stdout)
    assert old_json["ok"] is True
    assert old_json["signer"]["status"] == "retired" and old_json["signer"]["fingerprint"] == old_fp
    # The keyring holds the old public key (never a private one), so the old pack can be pinned to it.
    record = load_keyring(settings.data_dir).find_signing(old_fp)
    assert record is not None and record.public_key
    pinned = runner.invoke(app, ["report", "verify", str(first), "--public-key", record.public_key])
    assert pinned.exit_code == 0, pinned.output
    assert "PRIVATE" not in (settings.data_dir / "keyring.json").read_text()

    # Elsewhere (another deployment), the same pack verifies but its key is named as unknown.
    stranger = sxr("report", "verify", str(first), env={"SXR_DATA_DIR": str(tmp_path / "elsewhere")})
    assert stranger.returncode == 0 and "a key this deployment has not used" in stranger.stdout


def test_rotate_signing_from_the_environment_needs_the_new_key(
    sqlite_url: str, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SXR_SIGNING_KEY", base64.b64encode(os.urandom(32)).decode())
    refused = CliRunner().invoke(app, ["keys", "rotate-signing"])
    assert refused.exit_code == 1 and "give the new key with --new-key-file FILE" in refused.stderr


def test_a_deleted_case_is_found_by_its_reference_after_rotations(
    sqlite_url: str, settings: Settings, tmp_path: Path
) -> None:
    """Tombstones keep the reference as an HMAC under a key derived from the master key: after two
    rotations the erasure ledger still answers for a case deleted before them."""
    from sxr.retention.services import VICTIM_REQUEST, erase_case, find_erasure, walk_erasures

    gone, kept = make_cases(sqlite_url, settings, tmp_path / "in", cases=2, files=1)
    with session_scope(sqlite_url) as session:
        case = session.scalar(select(Case).where(Case.reference == gone))
        assert case is not None
        erase_case(session, settings, case, reason=VICTIM_REQUEST, actor="victim")
    for _ in range(2):
        done = CliRunner().invoke(app, ["keys", "rotate-master"])
        assert done.exit_code == 0, done.output
    with session_scope(sqlite_url) as session:
        found = find_erasure(session, settings, gone)
        assert found is not None and found.reason == VICTIM_REQUEST
        assert find_erasure(session, settings, kept) is None
        assert walk_erasures(session) == []
    assert len(json.loads((settings.data_dir / "reference-keys.json").read_text())["keys"]) == 2
    verified = CliRunner().invoke(app, ["evidence", "verify"])
    assert verified.exit_code == 0, verified.output
