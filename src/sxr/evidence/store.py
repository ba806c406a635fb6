"""Encrypted, content-addressed blobs: one file per blob under `$SXR_DATA_DIR/blobs/`.

A blob file is a header and a stream of AES-256-GCM chunks (the STREAM construction: each chunk's
nonce is its counter plus a "last chunk" flag, so truncation, reordering and edits all fail to
authenticate). Each blob has its own random data key, wrapped by the deployment's master key.
The file name is an HMAC of the plaintext's SHA-256 keyed by the master key: the same content is stored
once, and the folder does not tell anyone without the key which known files it holds.

Two formats are read. `SXRBLOB1` (the first) authenticates every chunk with the whole header, wrapped
key included, so its key cannot be re-wrapped without re-encrypting the content. `SXRBLOB2` (written
now) authenticates the chunks with the fixed part of the header only (magic, chunk size, a random blob
id) and holds the wrapped key in one of two key slots beside it: a master key rotation writes the new
wrapping into the free slot, then zeroes the old one, so the content is never rewritten and a crash
between the two writes leaves one slot that still opens the blob. The free slot must be all zero.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import io
import os
import secrets
import struct
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from sxr.config import Settings
from sxr.master_key import MasterKeyError, key_id, load_master_key

MAGIC = b"SXRBLOB1"
MAGIC2 = b"SXRBLOB2"
CHUNK_SIZE = 1024 * 1024
TAG_SIZE = 16
_HEADER = struct.Struct(">8s8sI12s48s")
# SXRBLOB2: the fixed part (magic, chunk size, blob id) then two key slots (key id, wrap nonce, wrapped key).
_FIXED2 = struct.Struct(">8sI16s")
_SLOT = struct.Struct(">8s12s48s")
_EMPTY_SLOT = bytes(_SLOT.size)
HEADER_SIZE = _FIXED2.size + 2 * _SLOT.size
KEY_ID_FILE_NAME = "key-id"
# Present in the blob folder while `sxr keys rotate-master` runs: blobs are under two keys until it ends.
ROTATION_MARKER = "rotating"


class BlobError(Exception):
    """A blob cannot be read back as it was stored."""


class WrongMasterKey(BlobError):
    """The blob was locked with a different master key than the one configured."""


class BlobDamaged(BlobError):
    """The blob's bytes were changed or cut short."""


class BlobMissing(BlobError):
    """No blob file for this SHA-256."""


@dataclass(frozen=True)
class StoredBlob:
    """The result of storing content: its SHA-256, plaintext size, and whether a new file was written."""

    sha256: str
    size: int
    created: bool


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _nonce(counter: int, last: bool) -> bytes:
    return counter.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


class _ChunkReader(io.RawIOBase):
    """A readable stream over decrypted chunks (to re-encrypt an old blob without holding it whole)."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._buffer = b""

    def readable(self) -> bool:
        return True

    def readinto(self, target: bytearray | memoryview) -> int:  # type: ignore[override]
        while not self._buffer:
            try:
                self._buffer = next(self._chunks)
            except StopIteration:
                return 0
        size = min(len(target), len(self._buffer))
        target[:size] = self._buffer[:size]
        self._buffer = self._buffer[size:]
        return size


def _read_exact(stream: BinaryIO, size: int) -> bytes:
    parts = []
    while size > 0:
        part = stream.read(size)
        if not part:
            break
        parts.append(part)
        size -= len(part)
    return b"".join(parts)


def _wrap_context(blob_id: bytes, slot_key_id: bytes) -> bytes:
    return MAGIC2 + blob_id + slot_key_id


class BlobStore:
    """Encrypted blobs in one directory, addressed by the SHA-256 of their plaintext."""

    def __init__(self, root: Path, master_key: bytes, *, rotating: bool = False) -> None:
        """`rotating` is for the key rotation and backup checks only: no key record is read or written."""
        if len(master_key) != 32:
            raise MasterKeyError("The master key must be 32 bytes.")
        self.root = root
        self._master = AESGCM(master_key)
        self._key_id = key_id(master_key)
        # File names are keyed: whoever has the folder cannot check whether a known file is held.
        self._name_key = hashlib.sha256(b"sxr blob names\0" + master_key).digest()
        self._rotating = rotating
        if not rotating and (root / ROTATION_MARKER).exists():
            raise MasterKeyError(
                f"A master key rotation of the evidence in {root} is under way and has not finished: "
                "run `sxr keys rotate-master` again to finish it (it carries on where it stopped)."
            )
        self._check_store_key()

    @property
    def key_id_hex(self) -> str:
        """The public fingerprint of this store's master key."""
        return self._key_id.hex()

    def _check_store_key(self) -> None:
        if self._rotating:
            return
        # The store remembers which key it was first used with, so a wrong key fails at once, before
        # any read or write, instead of quietly mixing blobs under two keys.
        path = self.root / KEY_ID_FILE_NAME
        try:
            recorded = path.read_text(encoding="ascii").strip()
        except FileNotFoundError:
            return
        if recorded != self._key_id.hex():
            raise WrongMasterKey(
                f"The evidence in {self.root} was locked with a different master key (key id {recorded}; "
                f"the key given has id {self._key_id.hex()}): check SXR_MASTER_KEY or the master.key file "
                "in the data dir, and keyring.json there for the keys it has retired."
            )

    def _check_some_blob(self) -> None:
        """Without the store's key record, one blob's header says whether this is the store's key."""
        for folder in sorted(self.root.glob("[0-9a-f][0-9a-f]")):
            for path in folder.iterdir():
                if path.is_file():
                    self._check_key(path)
                    return

    def _record_store_key(self) -> None:
        if self._rotating:
            return
        path = self.root / KEY_ID_FILE_NAME
        if path.exists():
            return
        self._check_some_blob()  # names are keyed: a wrong key would not find the blob to refuse it
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
        tmp.write_text(self._key_id.hex() + "\n", encoding="ascii")
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
        self._check_store_key()

    @classmethod
    def for_settings(cls, settings: Settings) -> BlobStore:
        return cls(settings.ensure_data_dir() / "blobs", load_master_key(settings))

    def path_for(self, sha256: str) -> Path:
        """Where the blob of `sha256` lives: a name keyed by the master key (HMAC-SHA256 of the hash)."""
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
        name = hmac.new(self._name_key, sha256.encode("ascii"), hashlib.sha256).hexdigest()
        path = self.root / name[:2] / name
        if not path.exists():
            self._rename_legacy(sha256, path)
        return path

    def _rename_legacy(self, sha256: str, path: Path) -> None:
        # Stores written before names were keyed used the plaintext's SHA-256: renamed on first use.
        legacy = self.root / sha256[:2] / sha256
        if legacy.is_file():
            path.parent.mkdir(parents=True, exist_ok=True)
            with contextlib.suppress(FileNotFoundError):
                os.replace(legacy, path)
                _fsync_dir(path.parent)

    def rename_legacy(self, sha256s: Iterable[str]) -> int:
        """Give every blob still named by its plain SHA-256 its keyed name; how many were renamed."""
        renamed = 0
        for sha256 in sha256s:
            legacy = self.root / sha256[:2] / sha256
            if legacy.is_file():
                self.path_for(sha256)
                renamed += 1
        return renamed

    def exists(self, sha256: str) -> bool:
        return self.path_for(sha256).is_file()

    def put_bytes(self, data: bytes) -> StoredBlob:
        return self.put(io.BytesIO(data))

    def put(self, source: BinaryIO) -> StoredBlob:
        """Encrypt `source` into a blob; the file appears only once written, synced and read back intact."""
        self._record_store_key()
        tmp_dir = self.root / ".tmp"
        tmp_dir.mkdir(parents=True, exist_ok=True)
        tmp = tmp_dir / f"{secrets.token_hex(16)}.part"
        digest = hashlib.sha256()
        size = 0
        try:
            with open(tmp, "xb") as out:
                data_key = secrets.token_bytes(32)
                blob_id = secrets.token_bytes(16)
                header = _FIXED2.pack(MAGIC2, CHUNK_SIZE, blob_id)
                out.write(header + self._slot(blob_id, data_key) + _EMPTY_SLOT)
                aead = AESGCM(data_key)
                counter = 0
                current = _read_exact(source, CHUNK_SIZE)
                while True:
                    following = _read_exact(source, CHUNK_SIZE) if len(current) == CHUNK_SIZE else b""
                    last = not following
                    digest.update(current)
                    size += len(current)
                    out.write(aead.encrypt(_nonce(counter, last), current, header))
                    if last:
                        break
                    counter += 1
                    current = following
                out.flush()
                os.fsync(out.fileno())
            sha256 = digest.hexdigest()
            final = self.path_for(sha256)
            if final.exists():
                self._check_key(final)
                return StoredBlob(sha256, size, created=False)
            # Read the new file back before it takes its name: a blob that is there is a blob that decrypts.
            checked_sha, checked_size = self._digest_file(tmp)
            if (checked_sha, checked_size) != (sha256, size):
                raise BlobDamaged("The new blob did not read back as written (disk or memory fault).")
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, final)
            _fsync_dir(final.parent)
            return StoredBlob(sha256, size, created=True)
        finally:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()

    def _slot(self, blob_id: bytes, data_key: bytes) -> bytes:
        """A key slot: `data_key` wrapped by this store's master key for the blob `blob_id`."""
        wrap_nonce = secrets.token_bytes(12)
        wrapped = self._master.encrypt(wrap_nonce, data_key, _wrap_context(blob_id, self._key_id))
        return _SLOT.pack(self._key_id, wrap_nonce, wrapped)

    def _check_key(self, path: Path) -> None:
        with open(path, "rb") as stream:
            self._open_header(stream, path.name)

    def _wrong_key(self, name: str) -> WrongMasterKey:
        return WrongMasterKey(
            f"blob {name} was locked with a different master key: check SXR_MASTER_KEY "
            "or the master.key file in the data dir"
        )

    def _open_header(self, stream: BinaryIO, name: str) -> tuple[AESGCM, bytes, int]:
        """The blob's data key, the chunks' associated data and the chunk size, from its header."""
        magic = _read_exact(stream, len(MAGIC))
        if magic == MAGIC2:
            return self._open_header2(magic + _read_exact(stream, HEADER_SIZE - len(MAGIC)), name)
        header = magic + _read_exact(stream, _HEADER.size - len(magic))
        if len(header) != _HEADER.size:
            raise BlobDamaged(f"blob {name} is cut short (no complete header)")
        magic, blob_key_id, chunk_size, wrap_nonce, wrapped = _HEADER.unpack(header)
        if magic != MAGIC:
            raise BlobDamaged(f"blob {name} does not start like an sxr blob (changed or damaged)")
        if blob_key_id != self._key_id:
            raise self._wrong_key(name)
        if not 0 < chunk_size <= 64 * 1024 * 1024:
            raise BlobDamaged(f"blob {name} has a damaged header")
        try:
            data_key = self._master.decrypt(wrap_nonce, wrapped, MAGIC + blob_key_id)
        except InvalidTag as exc:
            raise BlobDamaged(f"blob {name}: its key does not authenticate (changed or damaged)") from exc
        return AESGCM(data_key), header, chunk_size

    def _open_header2(self, header: bytes, name: str) -> tuple[AESGCM, bytes, int]:
        if len(header) != HEADER_SIZE:
            raise BlobDamaged(f"blob {name} is cut short (no complete header)")
        fixed = header[: _FIXED2.size]
        _magic, chunk_size, blob_id = _FIXED2.unpack(fixed)
        if not 0 < chunk_size <= 64 * 1024 * 1024:
            raise BlobDamaged(f"blob {name} has a damaged header")
        slots = [header[_FIXED2.size + i * _SLOT.size : _FIXED2.size + (i + 1) * _SLOT.size] for i in (0, 1)]
        mine = [i for i, slot in enumerate(slots) if slot[:8] == self._key_id]
        if not mine:
            raise self._wrong_key(name)
        other = slots[1 - mine[0]]
        # Outside a rotation the free slot is all zero: a changed byte there is damage, not noise.
        if other != _EMPTY_SLOT and not self._rotating:
            raise BlobDamaged(f"blob {name} has a damaged header (its free key slot is not empty)")
        data_key = self._unwrap(slots[mine[0]], blob_id)
        if data_key is None:
            raise BlobDamaged(f"blob {name}: its key does not authenticate (changed or damaged)")
        return AESGCM(data_key), fixed, chunk_size

    def _unwrap(self, slot: bytes, blob_id: bytes) -> bytes | None:
        slot_key_id, wrap_nonce, wrapped = _SLOT.unpack(slot)
        if slot_key_id != self._key_id:
            return None
        try:
            return self._master.decrypt(wrap_nonce, wrapped, _wrap_context(blob_id, slot_key_id))
        except InvalidTag:
            return None

    def header_key_ids(self, sha256: str) -> list[str]:
        """The key ids a blob's header names (one; two only in the middle of a rotation)."""
        with open(self.path_for(sha256), "rb") as stream:
            header = _read_exact(stream, HEADER_SIZE)
        if header.startswith(MAGIC2):
            slots = [header[_FIXED2.size + i * _SLOT.size :][: _SLOT.size] for i in (0, 1)]
            return [s[:8].hex() for s in slots if s != _EMPTY_SLOT]
        return [header[8:16].hex()]

    def rekey(self, sha256: str, new: BlobStore) -> str:
        """Put blob `sha256` under `new`'s master key (same folder); what it took, in one word.

        `rewrapped`: an SXRBLOB2 blob's data key wrapped anew in its free slot and the old slot zeroed,
        the content untouched. `reencrypted`: an SXRBLOB1 blob, whose chunks are bound to its old
        wrapping, written once more as SXRBLOB2 under a fresh data key (checked before the old file
        goes). `done`: already under the new key. Each step is safe to repeat after a crash.
        """
        old_path = self.path_for(sha256)
        new_path = new.path_for(sha256)
        if new_path.exists():
            new._clear_other_slot(new_path)
            if old_path.exists():  # a re-encryption that stopped before the old file went
                new.check(sha256)
                old_path.unlink()
                _fsync_dir(old_path.parent)
            return "done"
        if not old_path.exists():
            raise BlobMissing(f"blob {sha256} is missing")
        with open(old_path, "rb") as stream:
            magic = _read_exact(stream, len(MAGIC))
        if magic != MAGIC2:
            stored = new.put(io.BufferedReader(_ChunkReader(self.open(sha256))))
            if stored.sha256 != sha256:
                raise BlobDamaged(f"blob {sha256}: content does not match its SHA-256")
            old_path.unlink()
            _fsync_dir(old_path.parent)
            return "reencrypted"
        with open(old_path, "r+b") as stream:
            header = _read_exact(stream, HEADER_SIZE)
            if len(header) != HEADER_SIZE:
                raise BlobDamaged(f"blob {sha256} is cut short (no complete header)")
            blob_id = header[12:28]
            slots = [header[_FIXED2.size + i * _SLOT.size :][: _SLOT.size] for i in (0, 1)]
            olds = [i for i in (0, 1) if self._unwrap(slots[i], blob_id) is not None]
            news = [i for i in (0, 1) if new._unwrap(slots[i], blob_id) is not None]
            if not news:
                if not olds:
                    raise BlobDamaged(f"blob {sha256}: no key slot opens with the old or the new key")
                data_key = self._unwrap(slots[olds[0]], blob_id)
                assert data_key is not None
                free = 1 - olds[0]
                stream.seek(_FIXED2.size + free * _SLOT.size)
                stream.write(new._slot(blob_id, data_key))
                stream.flush()
                os.fsync(stream.fileno())
                news = [free]
            stale = 1 - news[0]
            if slots[stale] != _EMPTY_SLOT or olds:
                stream.seek(_FIXED2.size + stale * _SLOT.size)
                stream.write(_EMPTY_SLOT)
                stream.flush()
                os.fsync(stream.fileno())
        new_path.parent.mkdir(parents=True, exist_ok=True)
        os.replace(old_path, new_path)
        _fsync_dir(new_path.parent)
        return "rewrapped"

    def _clear_other_slot(self, path: Path) -> None:
        with open(path, "r+b") as stream:
            header = _read_exact(stream, HEADER_SIZE)
            if not header.startswith(MAGIC2) or len(header) != HEADER_SIZE:
                return
            for i in (0, 1):
                slot = header[_FIXED2.size + i * _SLOT.size :][: _SLOT.size]
                if slot != _EMPTY_SLOT and slot[:8] != self._key_id:
                    stream.seek(_FIXED2.size + i * _SLOT.size)
                    stream.write(_EMPTY_SLOT)
                    stream.flush()
                    os.fsync(stream.fileno())

    def _decrypt_stream(self, stream: BinaryIO, name: str) -> Iterator[bytes]:
        aead, header, chunk_size = self._open_header(stream, name)
        block = chunk_size + TAG_SIZE
        counter = 0
        current = _read_exact(stream, block)
        if len(current) < TAG_SIZE:
            raise BlobDamaged(f"blob {name} is cut short")
        while True:
            following = _read_exact(stream, block) if len(current) == block else b""
            last = not following
            try:
                yield aead.decrypt(_nonce(counter, last), current, header)
            except InvalidTag as exc:
                raise BlobDamaged(
                    f"blob {name}: part {counter} does not authenticate (changed, reordered or cut short)"
                ) from exc
            if last:
                return
            counter += 1
            current = following

    def _digest_file(self, path: Path) -> tuple[str, int]:
        digest = hashlib.sha256()
        size = 0
        with open(path, "rb") as stream:
            for chunk in self._decrypt_stream(stream, path.name):
                digest.update(chunk)
                size += len(chunk)
        return digest.hexdigest(), size

    def open(self, sha256: str) -> Iterator[bytes]:
        """The plaintext of blob `sha256` in authenticated chunks (raises BlobError on any fault)."""
        path = self.path_for(sha256)
        try:
            stream = open(path, "rb")  # noqa: SIM115 - closed by the generator below
        except FileNotFoundError as exc:
            self._check_some_blob()  # a wrong master key looks for other names: say so, not "missing"
            raise BlobMissing(f"blob {sha256} is missing") from exc
        return self._iter_and_close(stream, sha256)

    def _iter_and_close(self, stream: BinaryIO, name: str) -> Iterator[bytes]:
        with stream:
            yield from self._decrypt_stream(stream, name)

    def read(self, sha256: str) -> bytes:
        """The whole plaintext of blob `sha256`, checked against its SHA-256."""
        data = b"".join(self.open(sha256))
        if hashlib.sha256(data).hexdigest() != sha256:
            raise BlobDamaged(f"blob {sha256}: content does not match its SHA-256")
        return data

    def check(self, sha256: str) -> int:
        """Decrypt blob `sha256` end to end and compare its hash; returns the plaintext size."""
        path = self.path_for(sha256)
        if not path.is_file():
            self._check_some_blob()
            raise BlobMissing(f"blob {sha256} is missing")
        actual, size = self._digest_file(path)
        if actual != sha256:
            raise BlobDamaged(f"blob {sha256}: content does not match its SHA-256")
        return size

    def copy_to(self, sha256: str, dest: Path) -> None:
        """Write the plaintext of blob `sha256` to `dest` (which appears only when whole)."""
        tmp = dest.with_name(f".{dest.name}.{secrets.token_hex(6)}.part")
        digest = hashlib.sha256()
        try:
            with open(tmp, "xb") as out:
                for chunk in self.open(sha256):
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            if digest.hexdigest() != sha256:
                raise BlobDamaged(f"blob {sha256}: content does not match its SHA-256")
            os.replace(tmp, dest)
        finally:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
