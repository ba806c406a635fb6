"""Facebook Messenger and Instagram "Download your information" JSON (zip or folder, old and new layouts)."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Generator, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import repeat
from operator import truediv
from pathlib import PurePosixPath
from typing import Any

from sxr.conversations.importers import json_members
from sxr.conversations.importers.archive import ExportFiles
from sxr.conversations.importers.base import ChatChoice, Importer, ImportRun, Item, choose_chat
from sxr.conversations.importers.json_members import head_text, json_document, json_head_items, json_items
from sxr.conversations.importers.text import as_text, repair_mojibake
from sxr.conversations.importers.times import from_epoch
from sxr.conversations.model import ExportError, Message, Notice, SourceRef
from sxr.conversations.parse_ahead import (
    MEDIA_KEYS,
    PLAIN,
    SKIP,
    Helper,
    MetaColumns,
    MetaFile,
    Request,
    in_time_order,
    meta_columns,
)

# message_1.json, message_2.json ... (and message.json in the oldest downloads).
_MESSAGE_FILE = re.compile(r"^message(?:_(\d+))?\.json$")
# A thread's folder in a download: messages/inbox/<name_id>/ (and message_requests, archived_threads ...).
_THREAD_FOLDER = re.compile(r"(?:^|/)messages/[a-z_]+/[^/]+/[^/]+\.json$", re.IGNORECASE)
# What only Meta's message files hold: each message's sender_name and timestamp_ms.
_META_SHAPE = re.compile(r'"(?:sender_name|timestamp_ms)"\s*:')
_INSTAGRAM_FOLDERS = ("followers_and_following/", "connections/followers_and_following/", "your_instagram")


@dataclass(slots=True)
class _Read:
    """A message file read here and not yet built: its raw participants, title and rows."""

    people: Any
    title: Any
    rows: list[Any] | Iterator[Any]  # an iterator for a file too big to hold whole (streamed)


def _thread_of(name: str) -> str:
    return str(PurePosixPath(name).parent)


def _file_number(name: str) -> int:
    match = _MESSAGE_FILE.match(PurePosixPath(name).name)
    return int(match.group(1) or 1) if match else 0


class Meta(Importer):
    format = "messenger"
    title = "Messenger or Instagram"
    reads = "message_1.json"

    def find(self, files: ExportFiles) -> list[str]:
        found = []
        for name in files.names():
            path = PurePosixPath(name)
            if _MESSAGE_FILE.match(path.name):
                head = head_text(files, name, 8192)
                if '"sender_name"' in head or ('"participants"' in head and '"messages"' in head):
                    found.append(name)
            elif path.suffix.lower() == ".json" and (files.kind == "file" or _THREAD_FOLDER.search(name)):
                # Renamed (a browser's "message_1 (1).json", a victim's "chat with him.json"): known by its
                # shape, a bare file or one in a thread's folder of the download.
                head = head_text(files, name, 8192)
                if _META_SHAPE.search(head) and '"messages"' in head and '"participants"' in head:
                    found.append(name)
        return found

    def read(self, run: ImportRun, names: list[str]) -> Iterator[Item]:
        for batch in self.batches(run, names):
            yield from batch

    def batches(self, run: ImportRun, names: list[str]) -> Iterator[list[Item]]:
        """The chosen thread's items, oldest first, one list per message file, messages already numbered."""
        # A thread is its folder's name (name_id); Meta may file parts of one thread under several
        # folders (inbox, message_requests, archived_threads, filtered_threads, e2ee_cutover).
        threads: dict[str, list[str]] = {}
        for name in names:
            threads.setdefault(PurePosixPath(_thread_of(name)).name, []).append(name)
        chosen = threads[_choose_thread(run, threads)]
        folders = sorted({_thread_of(name) for name in chosen}, key=_folder_rank)
        # message_1.json holds the newest messages: read the highest number first.
        members = sorted(chosen, key=_file_number, reverse=True)
        for folder in folders:
            _warn_missing_files(run, folder, [m for m in members if _thread_of(m) == folder])
        instagram = _is_instagram(run.files, members[0])
        run.format = "instagram" if instagram else "messenger"
        platform = "Instagram" if instagram else "Facebook"
        run.warn(
            f"{platform}'s download leaves out end-to-end encrypted chats: "
            "those must be saved from the app itself (screenshots or its own backup)."
        )
        run.warn(f"View-once photos and videos are never included in a {platform} download.")
        senders: dict[str, str] = {}
        if len(folders) > 1:
            yield self._merged(run, folders, members, senders)
            return
        start = 0
        with closing(self._reads(run, members)) as reads:
            for member, found in zip(members, reads, strict=True):
                built = None
                if isinstance(found, MetaFile):
                    built = self._from_helper(run, member, found, senders, start)
                if built is None:
                    here = found if isinstance(found, _Read) else self._read_here(run, member)
                    built = self._build_here(run, member, here, senders, start)
                batch, count = built
                start += count
                yield batch

    def _reads(self, run: ImportRun, members: list[str]) -> Generator[MetaFile | _Read | None, None, None]:
        """Each file read, in order: by the helper process (a MetaFile), here ahead of its turn while the
        helper was still busy (a _Read), or not yet (None: read it here now).

        The helper is asked for two files at a time. While its next answer has not begun to arrive,
        this process reads the next file nobody has asked for (at most two ahead, so memory stays
        bounded); a file read ahead that fails raises its error in its turn, as it would have.
        """
        requests = self._requests(run.files, members)
        helper = None
        if None not in requests[1:]:
            helper = Helper.start([request for request in requests[1:] if request is not None])
        if helper is None:
            yield from (None for _ in members)
            return
        asked: deque[int] = deque()
        here: dict[int, _Read | Exception] = {}
        unasked = 1
        try:
            for position in range(len(members)):
                while helper.asked < 2 and unasked < len(members):
                    helper.ask(requests[unasked])  # type: ignore[arg-type]
                    asked.append(unasked)
                    unasked += 1
                if not asked or asked[0] != position:
                    read = here.pop(position, None)
                    if isinstance(read, Exception):
                        raise read
                    yield read
                    continue
                while not helper.ready() and len(here) < 2 and unasked < len(members):
                    request = requests[unasked]
                    if request is None or request[2] == SKIP:
                        break  # a file to stream: only in its turn
                    here[unasked] = self._read_ahead_here(run, members[unasked])
                    unasked += 1
                asked.popleft()
                yield helper.next_file()
        finally:
            helper.close()

    def _read_ahead_here(self, run: ImportRun, member: str) -> _Read | Exception:
        try:
            return self._read_here(run, member)
        except Exception as exc:  # its turn raises it
            return exc

    def _merged(
        self, run: ImportRun, folders: list[str], members: list[str], senders: dict[str, str]
    ) -> list[Item]:
        """One thread filed under several folders: every part read, put in time order, numbered."""
        places = ", ".join(PurePosixPath(folder).parent.name for folder in folders)
        run.warn(
            f"This chat is filed in {len(folders)} places in the download ({places}): sxr put the parts "
            "together in time order, and kept a message found in two places once."
        )
        items: list[tuple[datetime, int, int, Item]] = []
        seen: set[tuple[str, datetime | None, str]] = set()
        for rank, folder in enumerate(folders):
            for member in (m for m in members if _thread_of(m) == folder):
                batch, _count = self._build_here(run, member, self._read_here(run, member), senders, 0)
                for item in batch:
                    if isinstance(item, Message):
                        key = (item.sender, item.sent_at, item.text)
                        if key in seen:
                            continue
                        seen.add(key)
                    items.append((item.sent_at or _EPOCH, rank, len(items), item))
        items.sort(key=lambda entry: entry[:3])
        merged = [entry[3] for entry in items]
        i = 0
        for item in merged:
            if isinstance(item, Message):
                item.i = i
                i += 1
        return merged

    @staticmethod
    def _requests(files: ExportFiles, members: list[str]) -> list[Request | None]:
        """What the helper would be asked for each file (None where it cannot read it: a tar)."""
        # A folder's own hash is made of every member's, so this process hashes them all anyway.
        hash_them = files.kind != "folder"
        requests: list[Request | None] = []
        for member in members:
            where = files.location(member)
            if where is None:
                requests.append(None)
                continue
            path, inner, size = where
            if size > json_members.WHOLE_JSON_BYTES:
                size = SKIP  # too big to hold whole: this process streams it
            requests.append((path, inner, size, hash_them))
        return requests

    def _from_helper(
        self, run: ImportRun, member: str, ahead: MetaFile, senders: dict[str, str], start: int
    ) -> tuple[list[Item], int] | None:
        """A file the helper has read; None where this process must read it (anything unusual)."""
        if ahead.sha256 is not None:
            run.files.remember_member_sha256(member, ahead.sha256)
        if ahead.columns is None:
            return None
        self._heads(run, ahead.people, ahead.title)
        return self._from_columns(run, run.files.source(member), ahead.columns, senders, start)

    @staticmethod
    def _read_here(run: ImportRun, member: str) -> _Read:
        """One message file read here (nothing built yet): whole where it fits in memory, else streamed."""
        document = json_document(run.files, member)
        if isinstance(document, dict):
            raw_messages: Any = document.get("messages")
            if raw_messages is None:
                raw_messages = []
            elif not isinstance(raw_messages, list):
                raise ExportError(f"{member}: 'messages' is not a list; unknown export version.")
            return _Read(document.get("participants"), document.get("title"), raw_messages)
        if document is None:  # too big to hold whole: stream it
            titles = json_head_items(run.files, member, "title")
            return _Read(
                json_head_items(run.files, member, "participants.item"),
                titles[0] if titles else None,
                json_items(run.files, member, "messages.item"),
            )
        raise ExportError(f"{member} is not a Meta message file; unknown export version.")

    def _build_here(
        self, run: ImportRun, member: str, read: _Read, senders: dict[str, str], start: int
    ) -> tuple[list[Item], int]:
        """The items of a file read here."""
        self._heads(run, read.people, read.title)
        # Meta writes each file newest first; putting it in order needs the file's messages in memory,
        # which Meta bounds itself (it splits threads into files of at most about 10,000 messages).
        rows: list[Any] = read.rows if isinstance(read.rows, list) else list(read.rows)
        ids = run.files.source(member)  # the file's names and hashes, shared by every source ref
        columns = meta_columns(rows, _content)
        if columns is not None:
            found = self._from_columns(run, ids, columns, senders, start)
            if found is not None:
                return found
        return self._read_rows(run, member, ids, rows, senders, start)

    @staticmethod
    def _heads(run: ImportRun, people: Any, title: Any) -> None:
        """The file's participants and the thread's title."""
        for head in people if isinstance(people, list) else ():
            if isinstance(head, dict) and head.get("name"):
                run.sender(repair_mojibake(as_text(head["name"])))
        if isinstance(title, str) and run.title is None:
            run.title = repair_mojibake(title)

    def _from_columns(
        self, run: ImportRun, ids: SourceRef, columns: MetaColumns, senders: dict[str, str], start: int
    ) -> tuple[list[Item], int] | None:
        """A usual file's items, a column at a time in C (map over lists); None where a row is unusual."""
        stamps, order, written, texts, unusual = columns
        # Each distinct name once, in the order the messages first use it (participant ids follow it).
        for name in dict.fromkeys(written):
            if name not in senders:
                self._sender(run, name, senders)
        try:
            names = list(map(senders.__getitem__, written))
            sent = list(map(datetime.fromtimestamp, map(truediv, stamps, repeat(1000)), repeat(UTC)))
        except (KeyError, OverflowError, ValueError, OSError):
            return None  # too many names to cache, or a time out of range: the row loop says which
        contents = texts.split("\x00")
        count = len(stamps)
        pointers = _pointers(count, order)
        if not unusual and all(names):  # every row a plain text message: the file's ref, shared
            return list(
                map(
                    Message,
                    range(start, start + count),
                    names,
                    contents,
                    repeat(ids),
                    sent,
                    repeat(None),
                    repeat(()),
                    repeat(False),
                    repeat(False),
                    repeat(False),
                    pointers,
                )
            ), count
        items: list[Item] = []
        i = start
        for k, (sender, text, pointer, sent_at) in enumerate(
            zip(names, contents, pointers, sent, strict=True)
        ):
            raw = unusual.get(k)
            if sender and raw is None:
                items.append(Message(i, sender, text, ids, sent_at, pointer=pointer))
            elif raw is None:
                items.append(Notice(text=text or "(system message)", source=ids.at(pointer), sent_at=sent_at))
                continue
            elif not sender or _is_notice(raw):
                items.append(_notice(sender, text, ids.at(pointer), sent_at, raw))
                continue
            else:
                items.append(_with_extras(Message(i, sender, text, ids, sent_at, pointer=pointer), raw))
            i += 1
        return items, i - start

    def _read_rows(
        self,
        run: ImportRun,
        member: str,
        ids: SourceRef,
        rows: list[Any],
        senders: dict[str, str],
        start: int,
    ) -> tuple[list[Item], int]:
        """Any file, a row at a time, with a clear error for the row that cannot be read."""
        stamps, newest_first = _stamps(member, rows)
        rows, stamps, sorted_order = in_time_order(rows, stamps, newest_first)
        order: Sequence[int] = range(len(rows) - 1, -1, -1) if sorted_order is None else sorted_order
        file, sha256, inner, inner_sha256 = ids.file, ids.sha256, ids.member, ids.member_sha256
        cached = senders.get
        items: list[Item] = []
        i = start
        for raw, ms, index in zip(rows, stamps, order, strict=True):
            source = SourceRef(file, sha256, None, f"/messages/{index}", None, None, inner, inner_sha256)
            try:
                sent_at = datetime.fromtimestamp(ms / 1000, UTC)
            except (OverflowError, ValueError, OSError):
                sent_at = from_epoch(ms / 1000)  # raises the clear error
            written = raw.get("sender_name")
            sender = cached(written) if written.__class__ is str else None
            if sender is None:
                sender = self._sender(run, written, senders)
            content = _content(raw.get("content"))
            if sender and PLAIN.isdisjoint(raw):
                items.append(Message(i, sender, content, source, sent_at))  # a plain text message
            elif not sender or _is_notice(raw):
                items.append(_notice(sender, content, source, sent_at, raw))
                continue
            else:
                items.append(_with_extras(Message(i, sender, content, source, sent_at), raw))
            i += 1
        return items, i - start

    @staticmethod
    def _sender(run: ImportRun, written: Any, senders: dict[str, str]) -> str:
        text = written if written.__class__ is str else as_text(written)
        sender = repair_mojibake(text).strip()
        if sender:
            run.sender(sender)
        if len(senders) < 10_000 and written.__class__ is str:
            senders[written] = sender
        return sender


# "/messages/0", "/messages/1" ...: the same strings in every file, made once (Meta's files hold 10,000).
_POINTERS: list[str] = []


def _pointers(count: int, order: list[int] | None) -> Iterator[str]:
    """The JSON pointer of each row, in `order` (None: the file's rows reversed, the usual case)."""
    if count > len(_POINTERS):
        _POINTERS.extend(map("/messages/{}".format, range(len(_POINTERS), max(count, 10_000))))
    if order is None:
        return reversed(_POINTERS[:count])
    return map(_POINTERS.__getitem__, order)


def _content(content: Any) -> str:
    """A message's text, its mojibake repaired."""
    if content.__class__ is not str:
        return as_text(content)
    if content.isascii():
        return str(content)
    try:  # the usual case: the whole text is mojibake
        return str(content.encode("latin-1").decode("utf-8"))
    except (UnicodeEncodeError, UnicodeDecodeError):
        return repair_mojibake(content)


def _stamps(member: str, rows: list[Any]) -> tuple[list[float], bool]:
    """Each message's time in milliseconds, and whether the file lists them newest first."""
    stamps: list[float] = []
    newest_first = True
    previous = float("inf")
    for index, raw in enumerate(rows):
        if raw.__class__ is not dict:
            raise ExportError(f"{member}: message {index} is not an object; unknown export version.")
        stamp = raw.get("timestamp_ms")
        if stamp.__class__ is not int:
            stamp = _old_stamp(member, index, raw, stamp)
        if stamp > previous:
            newest_first = False
        previous = stamp
        stamps.append(stamp)
    return stamps, newest_first


def _old_stamp(member: str, index: int, raw: dict[str, Any], stamp: Any) -> float:
    """A time that is not integer milliseconds: a float, or seconds in the oldest downloads."""
    if (
        stamp is None
        and isinstance(raw.get("timestamp"), int | float)
        and not isinstance(raw["timestamp"], bool)
    ):
        stamp = raw["timestamp"] * 1000  # the oldest downloads wrote seconds
    if not isinstance(stamp, int | float) or isinstance(stamp, bool):
        raise ExportError(
            f"{member}: message {index} has no time (timestamp_ms); this looks like a "
            "format version sxr does not know."
        )
    if stamp != stamp:  # NaN sorts nowhere
        raise ExportError(f"{member}: message {index} has a time that is not a number.")
    return float(stamp)


def _notice(sender: str, text: str, source: SourceRef, sent_at: datetime, raw: dict[str, Any]) -> Notice:
    if "call_duration" in raw or raw.get("type") == "Call":
        who = f"{sender}: " if sender else ""
        return Notice(
            text=f"{who}call ({raw.get('call_duration', 0)} s) {text}".strip(), source=source, sent_at=sent_at
        )
    media = _media(raw)  # a row without a sender can still hold a photo: keep its name
    if media:
        text = f"{text} ({', '.join(media)})".strip()
    return Notice(text=text or "(system message)", source=source, sent_at=sent_at)


def _media(raw: dict[str, Any]) -> list[str]:
    """The names of a row's photos, videos, audio, gifs, files and sticker."""
    found = []
    for key in MEDIA_KEYS:
        media_list = raw.get(key)
        if not isinstance(media_list, list):
            continue
        for media in media_list:
            if isinstance(media, dict) and media.get("uri"):
                found.append(repair_mojibake(as_text(media["uri"])))
    sticker = raw.get("sticker")
    if isinstance(sticker, dict) and sticker.get("uri"):
        found.append(as_text(sticker["uri"]))
    return found


# Rows that record something happening, not something said: calls, and people joining or leaving a group.
_NOTICE_TYPES = frozenset({"Call", "Subscribe", "Unsubscribe"})


def _is_notice(raw: dict[str, Any]) -> bool:
    return "call_duration" in raw or raw.get("type") in _NOTICE_TYPES


def _with_extras(message: Message, raw: dict[str, Any]) -> Message:
    """A message with its photos, videos, stickers, shared links and unsent mark."""
    media = _media(raw)
    if media:
        message.attach(*media)
    share = raw.get("share")
    if isinstance(share, dict):
        # A shared post or link: its address, the words shared with it and whose it was.
        owner = repair_mojibake(as_text(share.get("original_content_owner"))).strip()
        for part in (
            as_text(share.get("link")),
            repair_mojibake(as_text(share.get("share_text"))),
            f"(shared from {owner})" if owner else "",
        ):
            part = part.strip()
            if part and part not in message.text:
                message.text = f"{message.text}\n{part}".strip()
    if raw.get("is_unsent"):
        message.deleted = True
    return message


def _is_instagram(files: ExportFiles, member: str) -> bool:
    """Instagram or Facebook, from the download's names (message text is never used: it can say anything)."""
    lowered = f"{files.path.name}/{member}".lower()
    if "instagram" in lowered:
        return True
    if "facebook" in lowered or "messenger" in lowered:
        return False
    # Folders only Instagram's download has.
    return any(name.startswith(_INSTAGRAM_FOLDERS) for name in files.names())


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Where a thread's parts are first looked for (ties in time keep this order).
_FOLDERS = ("message_requests", "filtered_threads", "inbox", "archived_threads", "e2ee_cutover")


def _folder_rank(folder: str) -> tuple[int, str]:
    kind = PurePosixPath(folder).parent.name
    return (_FOLDERS.index(kind) if kind in _FOLDERS else len(_FOLDERS), folder)


def _warn_missing_files(run: ImportRun, thread: str, members: list[str]) -> None:
    """Say which message_N.json files of the thread are not there (numbers run 1..N with no gap)."""
    numbers = {_file_number(member) for member in members}
    missing = [f"message_{n}.json" for n in range(1, max(numbers) + 1) if n not in numbers]
    for name in run.files.skipped:
        if _thread_of(name) == thread and _MESSAGE_FILE.match(PurePosixPath(name).name):
            missing.append(PurePosixPath(name).name)
    missing = sorted(set(missing), key=_file_number)
    if not missing:
        return
    shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
    run.warn(
        f"Part of this chat is missing from the download: {shown} "
        f"{'is' if len(missing) == 1 else 'are'} not there, or not a file sxr can open. "
        "The messages in that part are not in this import. Download the chat again, or add "
        "screenshots of that part."
    )


def _choose_thread(run: ImportRun, threads: dict[str, list[str]]) -> str:
    choices = [ChatChoice(PurePosixPath(t).name, t, t) for t in threads]
    return str(choose_chat(run, choices, run.files.display, "conversations").value)
