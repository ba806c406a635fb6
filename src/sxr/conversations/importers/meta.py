"""Facebook Messenger and Instagram "Download your information" JSON (zip or folder, old and new layouts)."""

from __future__ import annotations

import operator
import re
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from itertools import islice, repeat
from operator import truediv
from pathlib import PurePosixPath
from typing import Any

from sxr.conversations.importers import register
from sxr.conversations.importers.archive import ExportFiles
from sxr.conversations.importers.base import (
    ChatChoice,
    Importer,
    ImportRun,
    Item,
    as_text,
    choose_chat,
    from_epoch,
    head_text,
    json_document,
    json_head_items,
    json_items,
    repair_mojibake,
)
from sxr.conversations.model import ExportError, Message, Notice, SourceRef

# message_1.json, message_2.json ... (and message.json in the oldest downloads).
_MESSAGE_FILE = re.compile(r"^message(?:_(\d+))?\.json$")
_MEDIA_KEYS = ("photos", "videos", "audio_files", "gifs", "files")
_INSTAGRAM_FOLDERS = ("followers_and_following/", "connections/followers_and_following/", "your_instagram")
_EXTRA_KEYS = frozenset({*_MEDIA_KEYS, "sticker", "share", "is_unsent"})
# A message with none of these keys is plain text (most are): no call, no media, nothing unsent.
_PLAIN = frozenset({*_EXTRA_KEYS, "call_duration", "type"})


def _thread_of(name: str) -> str:
    return str(PurePosixPath(name).parent)


def _file_number(name: str) -> int:
    match = _MESSAGE_FILE.match(PurePosixPath(name).name)
    return int(match.group(1) or 1) if match else 0


class Meta(Importer):
    format = "messenger"
    title = "Messenger or Instagram"

    def find(self, files: ExportFiles) -> list[str]:
        found = []
        for name in files.names():
            if not _MESSAGE_FILE.match(PurePosixPath(name).name):
                continue
            head = head_text(files, name, 8192)
            if '"sender_name"' in head or ('"participants"' in head and '"messages"' in head):
                found.append(name)
        return found

    def read(self, run: ImportRun, names: list[str]) -> Iterator[Item]:
        for batch in self.batches(run, names):
            yield from batch

    def batches(self, run: ImportRun, names: list[str]) -> Iterator[list[Item]]:
        """The chosen thread's items, oldest first, one list per message file, messages already numbered."""
        threads: dict[str, list[str]] = {}
        for name in names:
            threads.setdefault(_thread_of(name), []).append(name)
        thread = _choose_thread(run, threads)
        # message_1.json holds the newest messages: read the highest number first.
        members = sorted(threads[thread], key=_file_number, reverse=True)
        instagram = _is_instagram(run.files, members[0])
        run.format = "instagram" if instagram else "messenger"
        platform = "Instagram" if instagram else "Facebook"
        run.warn(
            f"{platform}'s download leaves out end-to-end encrypted chats: "
            "those must be saved from the app itself (screenshots or its own backup)."
        )
        run.warn(f"View-once photos and videos are never included in a {platform} download.")
        senders: dict[str, str] = {}
        start = 0
        for member in members:
            document = json_document(run.files, member)
            if isinstance(document, dict):
                people = document.get("participants")
                titles = [document.get("title")]
                raw_messages: Any = document.get("messages")
                if raw_messages is None:
                    raw_messages = []
                elif not isinstance(raw_messages, list):
                    raise ExportError(f"{member}: 'messages' is not a list; unknown export version.")
            elif document is None:  # too big to hold whole: stream it
                people = json_head_items(run.files, member, "participants.item")
                titles = json_head_items(run.files, member, "title")
                raw_messages = json_items(run.files, member, "messages.item")
            else:
                raise ExportError(f"{member} is not a Meta message file; unknown export version.")
            del document
            for head in people if isinstance(people, list) else ():
                if isinstance(head, dict) and head.get("name"):
                    run.sender(repair_mojibake(as_text(head["name"])))
            if titles and isinstance(titles[0], str) and run.title is None:
                run.title = repair_mojibake(titles[0])
            batch, count = self._read_file(run, member, raw_messages, senders, start)
            start += count
            yield batch

    def _read_file(
        self, run: ImportRun, member: str, raw_messages: Any, senders: dict[str, str], start: int
    ) -> tuple[list[Item], int]:
        """One file's items, oldest first, and how many are messages (numbered from `start`)."""
        # Meta writes each file newest first; reversing needs the file's messages in memory, which
        # Meta bounds itself (it splits threads into files of at most about 10,000 messages).
        rows: list[Any] = raw_messages if isinstance(raw_messages, list) else list(raw_messages)
        stamps, newest_first = _stamps(member, rows)
        order: Sequence[int]
        if newest_first:
            order = range(len(rows) - 1, -1, -1)  # the usual case: no sort needed
            rows, stamps = rows[::-1], stamps[::-1]
        else:
            order = sorted(range(len(rows)), key=lambda i: (stamps[i], -i))
            rows, stamps = [rows[i] for i in order], [stamps[i] for i in order]
        ids = run.files.source(member)  # the file's names and hashes, shared by every source ref
        fast = self._read_columns(run, ids, rows, stamps, order, senders, start)
        if fast is not None:
            return fast
        return self._read_rows(run, ids, rows, stamps, order, senders, start)

    def _read_columns(
        self,
        run: ImportRun,
        ids: SourceRef,
        rows: list[Any],
        stamps: list[Any],
        order: Sequence[int],
        senders: dict[str, str],
        start: int,
    ) -> tuple[list[Item], int] | None:
        """The usual file, a column at a time in C (map over orjson's lists); None where a row is unusual."""
        if not rows:
            return [], 0
        if set(map(type, rows)) != {dict}:
            return None
        written: list[Any] = list(map(dict.get, rows, repeat("sender_name")))
        if set(map(type, written)) != {str}:
            return None
        # Each distinct name once, in the order the messages first use it (participant ids follow it).
        for name in dict.fromkeys(written):
            if name not in senders:
                self._sender(run, name, senders)
        try:
            names = list(map(senders.__getitem__, written))
            sent = list(map(datetime.fromtimestamp, map(truediv, stamps, repeat(1000)), repeat(UTC)))
        except (KeyError, OverflowError, ValueError, OSError):
            return None  # too many names to cache, or a time out of range: the row loop says which
        contents = _contents(rows)
        file, sha256, inner, inner_sha256 = ids.file, ids.sha256, ids.member, ids.member_sha256
        sources = list(
            map(
                SourceRef,
                repeat(file),
                repeat(sha256),
                repeat(None),
                _pointers(order),
                repeat(None),
                repeat(None),
                repeat(inner),
                repeat(inner_sha256),
            )
        )
        count = len(rows)
        if all(names) and _PLAIN.isdisjoint(set().union(*rows)):  # every row a plain text message
            return list(map(Message, range(start, start + count), names, contents, sources, sent)), count
        items: list[Item] = []
        i = start
        for raw, sender, text, source, sent_at in zip(rows, names, contents, sources, sent, strict=True):
            if sender and _PLAIN.isdisjoint(raw):
                items.append(Message(i, sender, text, source, sent_at))
            elif not sender or "call_duration" in raw or raw.get("type") == "Call":
                items.append(_notice(sender, text, source, sent_at, raw))
                continue
            else:
                items.append(_with_extras(Message(i, sender, text, source, sent_at), raw))
            i += 1
        return items, i - start

    def _read_rows(
        self,
        run: ImportRun,
        ids: SourceRef,
        rows: list[Any],
        stamps: list[Any],
        order: Sequence[int],
        senders: dict[str, str],
        start: int,
    ) -> tuple[list[Item], int]:
        """Any file, a row at a time, with a clear error for the row that cannot be read."""
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
            if sender and _PLAIN.isdisjoint(raw):
                items.append(Message(i, sender, content, source, sent_at))  # a plain text message
            elif not sender or "call_duration" in raw or raw.get("type") == "Call":
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


def _pointers(order: Sequence[int]) -> Iterator[str]:
    """The JSON pointer of each row, in `order`."""
    if len(order) > len(_POINTERS):
        _POINTERS.extend(map("/messages/{}".format, range(len(_POINTERS), max(len(order), 10_000))))
    if isinstance(order, range) and order.step == -1 and order.stop == -1:
        return reversed(_POINTERS[: len(order)])  # newest first, the usual file
    return map(_POINTERS.__getitem__, order)


def _contents(rows: list[dict[str, Any]]) -> list[str]:
    """Every row's text, its mojibake repaired: in one piece where every text is text, else one by one."""
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
            parts = joined.split("\x00")
            if len(parts) == len(texts):  # no text held a NUL of its own
                return parts
    return [text if text.__class__ is str and text.isascii() else _content(text) for text in texts]


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
    # The usual file (objects with integer timestamp_ms, newest first) is checked in C, not per message.
    if rows and set(map(type, rows)) == {dict}:
        stamps: list[Any] = list(map(dict.get, rows, repeat("timestamp_ms")))
        if set(map(type, stamps)) == {int}:
            return stamps, all(map(operator.ge, stamps, islice(stamps, 1, None)))
    stamps = []
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
    return Notice(text=text or "(system message)", source=source, sent_at=sent_at)


def _with_extras(message: Message, raw: dict[str, Any]) -> Message:
    """A message with its photos, videos, stickers, shared links and unsent mark."""
    for key in _MEDIA_KEYS:
        media_list = raw.get(key)
        if not isinstance(media_list, list):
            continue
        for media in media_list:
            if isinstance(media, dict) and media.get("uri"):
                message.attachments.append(repair_mojibake(as_text(media["uri"])))
    sticker = raw.get("sticker")
    if isinstance(sticker, dict) and sticker.get("uri"):
        message.attachments.append(as_text(sticker["uri"]))
    share = raw.get("share")
    if isinstance(share, dict) and share.get("link"):
        link = as_text(share["link"])
        if link not in message.text:
            message.text = f"{message.text}\n{link}".strip()
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


def _choose_thread(run: ImportRun, threads: dict[str, list[str]]) -> str:
    choices = [ChatChoice(PurePosixPath(t).name, t, t) for t in threads]
    return str(choose_chat(run, choices, run.files.display, "conversations").value)


register(Meta())
