"""Facebook Messenger and Instagram "Download your information" JSON (zip or folder, old and new layouts)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
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
    json_array,
    json_head_items,
    repair_mojibake,
)
from sxr.conversations.model import ExportError, Message, Notice, SourceRef

# message_1.json, message_2.json ... (and message.json in the oldest downloads).
_MESSAGE_FILE = re.compile(r"^message(?:_(\d+))?\.json$")
_MEDIA_KEYS = ("photos", "videos", "audio_files", "gifs", "files")
_INSTAGRAM_FOLDERS = ("followers_and_following/", "connections/followers_and_following/", "your_instagram")
_EXTRA_KEYS = frozenset({*_MEDIA_KEYS, "sticker", "share", "is_unsent"})


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
        for member in members:
            for head in json_head_items(run.files, member, "participants.item"):
                if isinstance(head, dict) and head.get("name"):
                    run.sender(repair_mojibake(as_text(head["name"])))
            titles = json_head_items(run.files, member, "title")
            if titles and isinstance(titles[0], str) and run.title is None:
                run.title = repair_mojibake(titles[0])
            yield from self._read_file(run, member)

    def _read_file(self, run: ImportRun, member: str) -> Iterator[Item]:
        # Meta writes each file newest first; reversing needs the file's messages in memory, which
        # Meta bounds itself (it splits threads into files of at most about 10,000 messages).
        entries: list[tuple[float, int, dict[str, Any]]] = []
        newest_first = True
        previous = float("inf")
        for index, raw in enumerate(json_array(run.files, member, "messages")):
            if not isinstance(raw, dict):
                raise ExportError(f"{member}: message {index} is not an object; unknown export version.")
            stamp = raw.get("timestamp_ms")
            if stamp is None and isinstance(raw.get("timestamp"), int | float):
                stamp = raw["timestamp"] * 1000  # the oldest downloads wrote seconds
            if not isinstance(stamp, int | float):
                raise ExportError(
                    f"{member}: message {index} has no time (timestamp_ms); this looks like a "
                    "format version sxr does not know."
                )
            newest_first = newest_first and stamp <= previous
            previous = stamp
            entries.append((stamp, index, raw))
        if newest_first:
            entries.reverse()  # the usual case: no sort needed
        else:
            entries.sort(key=lambda entry: (entry[0], -entry[1]))
        senders: dict[str, str] = {}
        ids = run.files.source(member)  # the file's names and hashes, shared by every source ref
        for ms, index, raw in entries:
            source = SourceRef(
                ids.file, ids.sha256, None, f"/messages/{index}", None, None, ids.member, ids.member_sha256
            )
            yield self._item(run, source, ms, raw, senders)

    def _item(
        self, run: ImportRun, source: SourceRef, ms: float, raw: dict[str, Any], senders: dict[str, str]
    ) -> Item:
        try:
            sent_at = datetime.fromtimestamp(ms / 1000, UTC)
        except (OverflowError, ValueError, OSError):
            sent_at = from_epoch(ms / 1000)  # raises the clear error
        written = raw.get("sender_name")
        if written.__class__ is not str:
            written = as_text(written)
        sender = senders.get(written)
        if sender is None:
            sender = repair_mojibake(written).strip()
            if sender:
                run.sender(sender)
            if len(senders) < 10_000:
                senders[written] = sender
        content = raw.get("content")
        text = repair_mojibake(content if content.__class__ is str else as_text(content))
        if "call_duration" in raw or raw.get("type") == "Call":
            who = f"{sender}: " if sender else ""
            return Notice(
                text=f"{who}call ({raw.get('call_duration', 0)} s) {text}".strip(),
                source=source,
                sent_at=sent_at,
            )
        if not sender:
            return Notice(text=text or "(system message)", source=source, sent_at=sent_at)
        message = Message(i=0, sender=sender, text=text, source=source, sent_at=sent_at)
        if _EXTRA_KEYS.isdisjoint(raw):
            return message  # a plain text message: nothing more to read
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
