"""The blob store: encrypted at rest, content-addressed, atomic, and loud about wrong keys and damage."""

from __future__ import annotations

import base64
import os
import stat
from pathlib import Path

import pytest

from sxr.config import Settings
from sxr.evidence.store import (
    CHUNK_SIZE,
    HEADER_SIZE,
    BlobDamaged,
    BlobStore,
    WrongMasterKey,
)
from sxr.master_key import MasterKeyError, load_master_key

MARKER = b"MARKER-7f3a9c-do-not-store-in-clear"


@pytest.fixture
def store(tmp_path: Path) -> BlobStore:
    return BlobStore(tmp_path / "blobs", os.urandom(32))


@pytest.mark.parametrize(
    "size", [0, 1, 1000, CHUNK_SIZE - 1, CHUNK_SIZE, CHUNK_SIZE + 1, 2 * CHUNK_SIZE + 17]
)
def test_round_trip(store: BlobStore, size: int) -> None:
    data = os.urandom(size)
    blob = store.put_bytes(data)
    assert blob.size == size and blob.created
    assert store.read(blob.sha256) == data
    assert store.check(blob.sha256) == size
    assert not any((store.root / ".tmp").iterdir())


def test_same_content_is_stored_once(store: BlobStore) -> None:
    first = store.put_bytes(b"the same screenshot")
    second = store.put_bytes(b"the same screenshot")
    assert first.sha256 == second.sha256 and first.created and not second.created
    files = [p for p in store.root.rglob("*") if p.is_file() and p.name != "key-id"]
    assert files == [store.path_for(first.sha256)]
    # The name is keyed: the plaintext's SHA-256 names no file, so the folder cannot confirm a known file.
    assert not list(store.root.rglob(first.sha256))


def test_no_plaintext_on_disk(store: BlobStore) -> None:
    blob = store.put_bytes(b"chat log " + MARKER * 3 + b" end")
    raw = store.path_for(blob.sha256).read_bytes()
    assert MARKER not in raw and MARKER[:12] not in raw


def test_a_wrong_master_key_is_a_clear_error(store: BlobStore) -> None:
    blob = store.put_bytes(b"evidence")
    other_key = os.urandom(32)
    with pytest.raises(WrongMasterKey, match="different master key"):
        BlobStore(store.root, other_key)
    # Even without the store's key record, each blob names the wrong key rather than giving garbage.
    (store.root / "key-id").unlink()
    other = BlobStore(store.root, other_key)
    with pytest.raises(WrongMasterKey, match="different master key"):
        other.read(blob.sha256)
    with pytest.raises(WrongMasterKey):
        other.put_bytes(b"evidence")


def test_every_single_byte_change_is_detected(store: BlobStore) -> None:
    data = b"offender said: pay or else. " * 3
    blob = store.put_bytes(data)
    path = store.path_for(blob.sha256)
    original = path.read_bytes()
    for offset in range(len(original)):
        damaged = bytearray(original)
        damaged[offset] ^= 0x01
        path.write_bytes(bytes(damaged))
        with pytest.raises((BlobDamaged, WrongMasterKey)):
            store.check(blob.sha256)
    path.write_bytes(original)
    assert store.check(blob.sha256) == len(data)


def test_cutting_or_extending_a_blob_is_detected(store: BlobStore) -> None:
    data = os.urandom(2 * CHUNK_SIZE + 5)
    blob = store.put_bytes(data)
    path = store.path_for(blob.sha256)
    original = path.read_bytes()
    chunk_end = HEADER_SIZE + CHUNK_SIZE + 16
    for changed in (
        original[:chunk_end],
        original[: chunk_end * 2 - HEADER_SIZE],
        original + b"\x00" * 20,
        original[:-1],
    ):
        path.write_bytes(changed)
        with pytest.raises(BlobDamaged):
            store.check(blob.sha256)


def test_master_key_file_is_created_once_with_mode_0600(settings: Settings) -> None:
    key = load_master_key(settings)
    path = settings.data_dir / "master.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_master_key(settings) == key and len(key) == 32


def test_master_key_from_the_environment(settings: Settings) -> None:
    key = os.urandom(32)
    assert load_master_key(settings.model_copy(update={"master_key": base64.b64encode(key).decode()})) == key
    with pytest.raises(MasterKeyError, match="not valid base64"):
        load_master_key(settings.model_copy(update={"master_key": "not base64!!"}))
    with pytest.raises(MasterKeyError, match="32 bytes"):
        load_master_key(settings.model_copy(update={"master_key": base64.b64encode(b"short").decode()}))
