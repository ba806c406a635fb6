"""Parse ahead: a helper process reads the next Meta message files while this process builds messages.

A big Messenger or Instagram download is dozens of message_N.json files. Reading one (orjson, the checks,
the mojibake repair) and building its messages take about the same time; on a machine with two cores a
helper process does the first for the files ahead while this process does the second for the file in
hand. The helper is given file names only (it reads the files itself, at most the size the export's
scan found) and sends back plain columns (lists of text and numbers, by `marshal`), never objects.
Whatever it cannot read the usual way comes back as None, and the importer reads that file itself, with
its usual clear errors: the helper only ever saves time, it never decides anything.

`MetaColumns` and `meta_columns` are also what the importer uses when it reads a file itself, so both
ways give the same messages. This module imports nothing of sxr's, so the helper starts in milliseconds.

Run as `python -m sxr.conversations.parse_ahead`: it reads length-prefixed, marshalled requests
(`Request`) from stdin, one at a time, and writes one length-prefixed, marshalled answer per request to
stdout, in order. The importer asks only a few files ahead, and reads the next file itself when the
helper has not answered yet (on a busy machine the helper may get less of a core than it does).
"""

from __future__ import annotations

import hashlib
import marshal
import operator
import os
import select
import subprocess
import sys
import time
import zipfile
from array import array
from collections.abc import Callable
from itertools import islice, repeat
from typing import IO, Any, NamedTuple

# Keys that make a Meta message more than plain text (media, calls, shares, unsent): such rows are
# sent back whole, for the importer's row-by-row rules.
MEDIA_KEYS = ("photos", "videos", "audio_files", "gifs", "files")
PLAIN = frozenset({*MEDIA_KEYS, "sticker", "share", "is_unsent", "call_duration", "type"})

# Below this many bytes ahead, starting a helper (about 30 ms) costs more than it saves.
MIN_AHEAD_BYTES = 4 * 1024 * 1024
_LENGTH = 8


# What the helper is asked for each file: (path, zip member or None, size from the scan, hash it?).
# A size of SKIP asks for nothing (a file too big to hold, which the importer streams itself).
Request = tuple[str, str | None, int, bool]
SKIP = -1


class MetaColumns(NamedTuple):
    """One Meta message file, a column per field, oldest message first."""

    stamps: list[int]  # timestamp_ms of each row
    order: list[int] | None  # each row's index in the file; None for the usual newest-first file reversed
    written: list[str]  # sender_name of each row, as written
    texts: str  # the text of every row, mojibake repaired, joined by NUL (no text holds one)
    unusual: dict[int, dict[str, Any]]  # rows (by position above) with media, a call, a share or unsent


def meta_columns(rows: list[Any], odd_text: Callable[[Any], str] | None) -> MetaColumns | None:
    """The columns of a file's `messages` list, or None where a row is not the usual shape.

    `odd_text` turns a content that is not clean mojibake (a number, text in two encodings) into text;
    with None such a file gives None. None means "read this file row by row", never "no messages".
    """
    if not rows or set(map(type, rows)) != {dict}:
        return None
    stamps: list[Any] = list(map(dict.get, rows, repeat("timestamp_ms")))
    if set(map(type, stamps)) != {int}:
        return None  # seconds (old downloads), floats or missing times: the row-by-row rules say which
    newest_first = all(map(operator.ge, stamps, islice(stamps, 1, None)))
    rows, stamps, order = in_time_order(rows, stamps, newest_first)
    written: list[Any] = list(map(dict.get, rows, repeat("sender_name")))
    if set(map(type, written)) != {str}:
        return None
    texts = _texts(rows, odd_text)
    if texts is None:
        return None
    unusual: dict[int, dict[str, Any]] = {}
    if not PLAIN.isdisjoint(set().union(*rows)):
        unusual = {k: row for k, row in enumerate(rows) if not PLAIN.isdisjoint(row)}
    return MetaColumns(stamps, order, written, texts, unusual)


def in_time_order(
    rows: list[Any], stamps: list[Any], newest_first: bool
) -> tuple[list[Any], list[Any], list[int] | None]:
    """A file's rows and times oldest first, and each row's index in the file (None: the file reversed).

    Meta writes each file newest first, so reversing it is the usual case; otherwise rows are sorted by
    time, rows of the same time keeping the order the file gives (newest first, so last comes first).
    """
    if newest_first:
        return rows[::-1], stamps[::-1], None
    order = sorted(range(len(rows)), key=lambda i: (stamps[i], -i))
    return [rows[i] for i in order], [stamps[i] for i in order], order


def _texts(rows: list[dict[str, Any]], odd_text: Callable[[Any], str] | None) -> str | None:
    """Every row's text, its mojibake repaired, joined by NUL; None where a text holds a NUL itself."""
    texts: list[Any] = list(map(dict.get, rows, repeat("content")))
    if set(map(type, texts)) == {str}:
        # Meta writes UTF-8 bytes as Latin-1 characters. NUL never occurs inside a multi-byte sequence,
        # so the joined texts decode exactly when each does, and split back into the same pieces.
        joined = "\x00".join(texts)
        try:
            if not joined.isascii():
                joined = joined.encode("latin-1").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass  # some text is not mojibake: repair each on its own
        else:
            return joined if joined.count("\x00") == len(texts) - 1 else None
    out: list[str] = []
    for text in texts:
        if text is None:
            out.append("")
        elif text.__class__ is str and text.isascii():
            out.append(text)
        elif text.__class__ is str and _decodes(text):
            out.append(text.encode("latin-1").decode("utf-8"))
        elif odd_text is None:
            return None
        else:
            out.append(odd_text(text))
    joined = "\x00".join(out)
    return joined if joined.count("\x00") == len(out) - 1 else None


def _decodes(text: str) -> bool:
    try:
        text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return False
    return True


class MetaFile(NamedTuple):
    """What the helper read of one file: its SHA-256, the raw participants and title, and its columns."""

    sha256: str | None  # the file's SHA-256, when it was asked for
    people: Any
    title: Any
    columns: MetaColumns | None


def read_meta_file(data: bytes, *, hash_it: bool = True) -> MetaFile:
    """One message file's bytes, as the helper reads them; columns None where anything is unusual."""
    import orjson

    sha256 = hashlib.sha256(data).hexdigest() if hash_it else None
    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError:
        return MetaFile(sha256, None, None, None)
    if not isinstance(document, dict) or not isinstance(document.get("messages"), list):
        return MetaFile(sha256, None, None, None)
    columns = meta_columns(document["messages"], None)
    return MetaFile(sha256, document.get("participants"), document.get("title"), columns)


# --- the helper process ------------------------------------------------------------------------------


class Helper:
    """A helper process: `ask` it for files one at a time; `next_file()` gives its answers in order."""

    def __init__(self) -> None:
        self._process: subprocess.Popen[bytes] | None = subprocess.Popen(
            [sys.executable, "-m", __name__],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            close_fds=True,
            bufsize=0,  # unbuffered: `ready` asks the pipe itself whether an answer has begun
        )
        self.asked = 0  # requests sent and not yet answered

    @classmethod
    def start(cls, requests: list[Request]) -> Helper | None:
        """A helper for these files, or None where one would not help (few bytes, one core, switched off)."""
        if sum(max(request[2], 0) for request in requests) < MIN_AHEAD_BYTES or not helper_allowed():
            return None
        try:
            return cls()
        except OSError:
            return None

    def ask(self, request: Request) -> None:
        """Ask for one more file (answers come in the order asked). A request is a few hundred bytes,
        so this never waits on the helper (the pipe holds far more than the few asked ahead)."""
        self.asked += 1
        if self._process is None:
            return
        assert self._process.stdin is not None
        try:
            _write_frame(self._process.stdin, marshal.dumps(request))
        except OSError:
            self.close()

    def ready(self) -> bool:
        """Whether the next answer has begun to arrive (or the helper has stopped): reading won't wait."""
        if self._process is None:
            return True
        assert self._process.stdout is not None
        readable, _, _ = select.select([self._process.stdout], [], [], 0)
        return bool(readable)

    def next_file(self) -> MetaFile | None:
        """The next file's answer; None where the helper could not read it (or has stopped, or was asked
        for nothing more)."""
        if self.asked <= 0:
            return None
        self.asked -= 1
        if self._process is None:
            return None
        assert self._process.stdout is not None
        try:
            payload = _read_frame(self._process.stdout)
        except OSError:
            payload = None
        if payload is None:
            self.close()  # it stopped (killed, out of memory): the importer reads the rest itself
            return None
        answer = marshal.loads(payload)  # noqa: S302  (written by our own helper process)
        if answer is None:
            return None
        sha256, people, title, packed = answer
        return MetaFile(sha256, people, title, _unpack(packed) if packed is not None else None)

    def close(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            process.kill()
        process.wait()
        for stream in (process.stdin, process.stdout):
            if stream is not None and not stream.closed:
                stream.close()

    def __enter__(self) -> Helper:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def helper_allowed() -> bool:
    """Whether a helper may start: switched on (SXR_IMPORT_HELPER), and a core free for it now.

    On a busy machine a helper only takes time from this process (and from everyone else), so it starts
    only where fewer tasks are running than there are cores for this process.
    """
    if not _switched_on():
        return False
    return free_cores(_cores(), _read_loadavg()) >= 1


def _switched_on() -> bool:
    from sxr.config import SettingsError, read_settings

    try:
        # Read afresh, not cached: loading settings is cheap next to a big import, and tests switch it.
        return read_settings().import_helper
    except SettingsError:  # invalid settings are the app's to report; the helper only saves time
        return True


def _cores() -> int:
    """The cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _read_loadavg() -> list[str]:
    """Three looks at /proc/loadavg a millisecond apart (empty where there is none)."""
    looks = []
    for look in range(3):
        if look:
            time.sleep(0.001)
        try:
            with open("/proc/loadavg", encoding="ascii") as stream:
                looks.append(stream.read())
        except OSError:
            return []
    return looks


def free_cores(cores: int, loadavg: list[str]) -> int:
    """Cores with nothing running on them: `cores` less the tasks running now, this one included.

    /proc/loadavg's fourth field is "running/all" at the moment it is read; the fewest running of a
    few looks is taken (a kernel thread can wake for a moment). Without it, every other core is free.
    """
    running: list[int] = []
    for text in loadavg:
        fields = text.split()
        if len(fields) >= 4 and fields[3].split("/")[0].isdigit():
            running.append(int(fields[3].split("/")[0]))
    if not running:
        return cores - 1
    return cores - max(min(running), 1)


def _write_frame(stream: IO[bytes], payload: bytes) -> None:
    view = memoryview(len(payload).to_bytes(_LENGTH, "little") + payload)
    while view:
        written = stream.write(view)  # an unbuffered pipe may take part of it
        view = view[written if written is not None else 0 :]
    stream.flush()


def _read_frame(stream: IO[bytes]) -> bytes | None:
    head = _read_exactly(stream, _LENGTH)
    if head is None:
        return None
    return _read_exactly(stream, int.from_bytes(head, "little"))


def _read_exactly(stream: IO[bytes], size: int) -> bytes | None:
    """`size` bytes from a pipe (an unbuffered read can return fewer); None where it ends first."""
    parts = []
    while size > 0:
        part = stream.read(size)
        if not part:
            return None
        parts.append(part)
        size -= len(part)
    return b"".join(parts)


def _answer(request: Request, archives: dict[str, zipfile.ZipFile]) -> Any:
    """One request's answer, marshal-ready: a plain tuple, or None for "read it yourself"."""
    path, member, size, hash_it = request
    if size == SKIP:
        return None
    try:
        if member is None:
            with open(path, "rb") as stream:
                data = stream.read(size + 1)
        else:
            archive = archives.get(path)
            if archive is None:
                archive = archives[path] = zipfile.ZipFile(path)
            with archive.open(member) as stream:
                data = stream.read(size + 1)
        if len(data) != size:
            return None  # changed since the export was scanned
        found = read_meta_file(data, hash_it=hash_it)
        return (found.sha256, found.people, found.title, _pack(found.columns))
    except Exception:  # anything at all: the importer reads this file itself and says what is wrong
        return None


# On the wire a file's columns are a few big values, not thousands of small ones (marshal makes each
# small value one by one, as slowly as building it): the texts as one string, the times as an array of
# 64-bit integers, the senders as the distinct names and an index for each row.


def _pack(columns: MetaColumns | None) -> tuple[Any, ...] | None:
    if columns is None:
        return None
    distinct = list(dict.fromkeys(columns.written))
    if len(distinct) > 65_535:
        return None  # thousands of senders: this process reads the file itself
    index = dict(zip(distinct, range(len(distinct)), strict=True))
    senders = array("H", map(index.__getitem__, columns.written)).tobytes()
    return (
        array("q", columns.stamps).tobytes(),
        columns.order,
        distinct,
        senders,
        columns.texts,
        columns.unusual,
    )


def _unpack(packed: tuple[Any, ...]) -> MetaColumns:
    stamps_bytes, order, distinct, senders, texts, unusual = packed
    stamps = array("q")
    stamps.frombytes(stamps_bytes)
    written = array("H")
    written.frombytes(senders)
    return MetaColumns(stamps.tolist(), order, list(map(distinct.__getitem__, written)), texts, unusual)


def main() -> None:
    """The helper: answer each request on stdin, in order, on stdout, until stdin ends."""
    archives: dict[str, zipfile.ZipFile] = {}
    out = sys.stdout.buffer
    try:
        while (payload := _read_frame(sys.stdin.buffer)) is not None:
            request = marshal.loads(payload)  # noqa: S302  (written by the importer that started us)
            answer = _answer(request, archives)
            try:
                encoded = marshal.dumps(answer)
            except ValueError:  # a value marshal cannot write: the importer reads this one itself
                encoded = marshal.dumps(None)
            _write_frame(out, encoded)
    except BrokenPipeError:
        pass  # the importer stopped early (an error, or a caller that closed the stream)
    finally:
        for archive in archives.values():
            archive.close()


if __name__ == "__main__":
    main()
