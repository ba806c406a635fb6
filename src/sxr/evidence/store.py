"""Encrypted, content-addressed blobs: one file per blob under `$SXR_DATA_DIR/blobs/`.

A blob file is a header and a stream of AES-256-GCM chunks (the STREAM construction: each chunk's
nonce is its counter plus a "last chunk" flag, so truncation, reordering and edits all fail to
authenticate). Each blob has its own random data key, wrapped by the deployment's master key.
The file name is an HMAC of the plaintext's SHA-256 keyed by the master key: the same content is stored
once, and the folder does not tell anyone without the key which known files it holds.
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
from sxr.master_key import MasterKeyError, load_master_key

MAGIC = b"SXRBLOB1"
CHUNK_SIZE = 1024 * 1024
TAG_SIZE = 16
_HEADER = struct.Struct(">8s8sI12s48s")
HEADER_SIZE = _HEADER.size
KEY_ID_FILE_NAME = "key-id"


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


def key_id(master_key: bytes) -> bytes:
    """A short public fingerprint of the master key, kept in each header to name a wrong key clearly."""
    return hashlib.sha256(b"sxr master key id\0" + master_key).digest()[:8]


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _nonce(counter: int, last: bool) -> bytes:
    return counter.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


def _read_exact(stream: BinaryIO, size: int) -> bytes:
    parts = []
    while size > 0:
        part = stream.read(size)
        if not part:
            break
        parts.append(part)
        size -= len(part)
    return b"".join(parts)


class BlobStore:
    """Encrypted blobs in one directory, addressed by the SHA-256 of their plaintext."""

    def __init__(self, root: Path, master_key: bytes) -> None:
        if len(master_key) != 32:
            raise MasterKeyError("The master key must be 32 bytes.")
        self.root = root
        self._master = AESGCM(master_key)
        self._key_id = key_id(master_key)
        # File names are keyed: whoever has the folder cannot check whether a known file is held.
        self._name_key = hashlib.sha256(b"sxr blob names\0" + master_key).digest()
        self._check_store_key()

    def _check_store_key(self) -> None:
        # The store remembers which key it was first used with, so a wrong key fails at once, before
        # any read or write, instead of quietly mixing blobs under two keys.
        path = self.root / KEY_ID_FILE_NAME
        try:
            recorded = path.read_text(encoding="ascii").strip()
        except FileNotFoundError:
            return
        if recorded != self._key_id.hex():
            raise WrongMasterKey(
                f"The evidence in {self.root} was locked with a different master key: "
                "check SXR_MASTER_KEY or the master.key file in the data dir."
            )

    def _check_some_blob(self) -> None:
        """Without the store's key record, one blob's header says whether this is the store's key."""
        for folder in sorted(self.root.glob("[0-9a-f][0-9a-f]")):
            for path in folder.iterdir():
                if path.is_file():
                    self._check_key(path)
                    return

    def _record_store_key(self) -> None:
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
                wrap_nonce = secrets.token_bytes(12)
                wrapped = self._master.encrypt(wrap_nonce, data_key, MAGIC + self._key_id)
                header = _HEADER.pack(MAGIC, self._key_id, CHUNK_SIZE, wrap_nonce, wrapped)
                out.write(header)
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

    def _check_key(self, path: Path) -> None:
        with open(path, "rb") as stream:
            self._open_header(stream, path.name)

    def _open_header(self, stream: BinaryIO, name: str) -> tuple[AESGCM, bytes, int]:
        header = _read_exact(stream, HEADER_SIZE)
        if len(header) != HEADER_SIZE:
            raise BlobDamaged(f"blob {name} is cut short (no complete header)")
        magic, blob_key_id, chunk_size, wrap_nonce, wrapped = _HEADER.unpack(header)
        if magic != MAGIC:
            raise BlobDamaged(f"blob {name} does not start like an sxr blob (changed or damaged)")
        if blob_key_id != self._key_id:
            raise WrongMasterKey(
                f"blob {name} was locked with a different master key: check SXR_MASTER_KEY "
                "or the master.key file in the data dir"
            )
        if not 0 < chunk_size <= 64 * 1024 * 1024:
            raise BlobDamaged(f"blob {name} has a damaged header")
        try:
            data_key = self._master.decrypt(wrap_nonce, wrapped, MAGIC + blob_key_id)
        except InvalidTag as exc:
            raise BlobDamaged(f"blob {name}: its key does not authenticate (changed or damaged)") from exc
        return AESGCM(data_key), header, chunk_size

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
