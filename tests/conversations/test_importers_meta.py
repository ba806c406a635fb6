"""Messenger and Instagram downloads: split files merged oldest first, layouts, mojibake, calls, media."""

from __future__ import annotations

import gc
import json
from pathlib import Path

import pytest
from conversation_builders import meta_message, meta_thread, mojibake, write_zip

from sxr.conversations.importers import import_path, json_members
from sxr.conversations.importers.base import repair_mojibake
from sxr.conversations.model import ExportError, SeveralChats

BASE = 1_768_621_000_000


def _split_thread() -> dict[str, str]:
    thread = "your_facebook_activity/messages/inbox/ashleymonroe_10161339425506781"
    newest = [
        meta_message("Ashley Monroe", BASE + 5000, "pay $1000 or I send it 😂"),
        meta_message("Brandon Kowalski", BASE + 4000, "The video chat ended.", call_duration=412),
        meta_message("Brandon Kowalski", BASE + 3000, "I’m not sure"),
    ]
    oldest = [
        meta_message(
            "Ashley Monroe",
            BASE + 2000,
            None,
            photos=[{"uri": f"{thread}/photos/1_n.jpg", "creation_timestamp": 1768621002}],
        ),
        meta_message(
            "Brandon Kowalski",
            BASE + 1000,
            "café at 5? costs £5",
            reactions=[{"reaction": mojibake("❤"), "actor": "Ashley Monroe"}],
        ),
        meta_message("Ashley Monroe", BASE, "hey stranger 👋"),
    ]
    people = ["Ashley Monroe", "Brandon Kowalski"]
    return {
        f"{thread}/message_1.json": meta_thread(people, newest),
        f"{thread}/message_2.json": meta_thread(people, oldest),
        f"{thread}/photos/1_n.jpg": "jpeg",
    }


def test_split_thread_merged_oldest_first(tmp_path: Path) -> None:
    path = write_zip(tmp_path / "facebook-brandon-2026-02-02.zip", _split_thread())
    chat = import_path(path)
    assert chat.format == "messenger"
    assert [m.text for m in chat.messages] == [
        "hey stranger 👋",
        "café at 5? costs £5",
        "",
        "I’m not sure",
        "pay $1000 or I send it 😂",
    ]
    assert [m.i for m in chat.messages] == [0, 1, 2, 3, 4]
    assert chat.messages[2].attachments[0].endswith("photos/1_n.jpg")
    assert len(chat.notices) == 1 and "412" in chat.notices[0].text
    sources = [(m.source.member or "").rsplit("/", 1)[1] + m.source.pointer for m in chat.messages]  # type: ignore[operator]
    assert sources == [
        "message_2.json/messages/2",
        "message_2.json/messages/1",
        "message_2.json/messages/0",
        "message_1.json/messages/2",
        "message_1.json/messages/0",
    ]
    assert chat.messages[0].sent_at is not None and chat.messages[0].sent_at.utcoffset().total_seconds() == 0  # type: ignore[union-attr]
    assert any("end-to-end encrypted" in w for w in chat.warnings)
    assert {p.name for p in chat.participants} == {"Ashley Monroe", "Brandon Kowalski"}


def test_folder_and_old_layout(tmp_path: Path) -> None:
    root = tmp_path / "facebook-sam"
    thread = root / "messages" / "inbox" / "jopritchard_10227790316458821"
    thread.mkdir(parents=True)
    (thread / "message_1.json").write_text(
        meta_thread(
            ["Jo Pritchard", "Sam"],
            [
                meta_message("Jo Pritchard", BASE + 10, "is the bike still for sale?"),
                meta_message("Sam", BASE, "hi"),
            ],
        )
    )
    chat = import_path(root)
    assert [m.sender for m in chat.messages] == ["Sam", "Jo Pritchard"]
    assert chat.messages[0].source.member == "messages/inbox/jopritchard_10227790316458821/message_1.json"


def test_instagram_new_layout(tmp_path: Path) -> None:
    thread = "your_instagram_activity/messages/inbox/amelia_17984523016749012"
    path = write_zip(
        tmp_path / "instagram-ollie-2026-03-21.zip",
        {
            f"{thread}/message_1.json": meta_thread(
                ["Amelia 🦋", "Ollie"], [meta_message("Amelia 🦋", BASE, "Hiii 👋", is_unsent=False)]
            )
        },
    )
    chat = import_path(path)
    assert chat.format == "instagram"
    assert chat.messages[0].sender == "Amelia 🦋"
    assert chat.title == "Amelia 🦋"


def test_unsent_message_is_deleted(tmp_path: Path) -> None:
    thread = "messages/inbox/x_1"
    path = write_zip(
        tmp_path / "facebook.zip",
        {f"{thread}/message_1.json": meta_thread(["A", "B"], [meta_message("A", BASE, "", is_unsent=True)])},
    )
    assert import_path(path).messages[0].deleted


def test_shares_keep_their_words_and_owner(tmp_path: Path) -> None:
    thread = "your_instagram_activity/messages/inbox/amelia_17984523016749012"
    shared = {
        "link": "https://www.instagram.com/reel/C4xyz/",
        "share_text": mojibake("look at this — send a pic"),
        "original_content_owner": "some.account",
    }
    path = write_zip(
        tmp_path / "instagram-ollie-2026-03-21.zip",
        {
            f"{thread}/message_1.json": meta_thread(
                ["Amelia 🦋", "Ollie"],
                [
                    meta_message(
                        "Amelia 🦋", BASE + 1000, "https://www.instagram.com/reel/C4xyz/", share=shared
                    ),
                    meta_message("Amelia 🦋", BASE, None, share={"link": "https://example.com/pay"}),
                ],
            )
        },
    )
    chat = import_path(path)
    assert chat.messages[0].text == "https://example.com/pay"
    assert chat.messages[1].text.split("\n") == [
        "https://www.instagram.com/reel/C4xyz/",
        "look at this — send a pic",
        "(shared from some.account)",
    ]


def test_people_joining_and_leaving_a_group_are_notices(tmp_path: Path) -> None:
    thread = "your_activity_across_facebook/messages/inbox/thelads_1000000000000001"
    rows = [
        meta_message("Tom Smith", BASE + 3000, "Sam Jones left the group.", type="Unsubscribe", users=[]),
        meta_message("Tom Smith", BASE + 2000, "pay up or else", type="Generic"),
        meta_message(
            "Tom Smith",
            BASE + 1000,
            "Tom Smith added Sam Jones to the group.",
            type="Subscribe",
            users=[{"name": "Sam Jones"}],
        ),
    ]
    path = write_zip(
        tmp_path / "facebook-tom.zip",
        {f"{thread}/message_1.json": meta_thread(["Tom Smith", "Sam Jones"], rows, title="The Lads")},
    )
    chat = import_path(path)
    assert [m.text for m in chat.messages] == ["pay up or else"]
    assert [n.text for n in chat.notices] == [
        "Tom Smith added Sam Jones to the group.",
        "Sam Jones left the group.",
    ]
    assert chat.title == "The Lads"


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        (mojibake("I’m fine 😂 £5"), "I’m fine 😂 £5"),
        ("café", "café"),  # already right: a lone é is not UTF-8
        ("£5 and 😂", "£5 and 😂"),
        ("plain ascii", "plain ascii"),
        (mojibake("naïve") + " 😂", "naïve 😂"),  # a mix of broken and correct text
        ("", ""),
    ],
)
def test_mojibake_repair_leaves_correct_text_alone(written: str, expected: str) -> None:
    assert repair_mojibake(written) == expected


def test_many_threads_need_a_choice(tmp_path: Path) -> None:
    members = {
        "messages/inbox/alice_1/message_1.json": meta_thread(
            ["Alice", "Sam"], [meta_message("Alice", BASE, "hi")]
        ),
        "messages/inbox/bob_2/message_1.json": meta_thread(["Bob", "Sam"], [meta_message("Bob", BASE, "yo")]),
    }
    path = write_zip(tmp_path / "facebook.zip", members)
    with pytest.raises(ExportError, match="--chat"):
        import_path(path)
    assert import_path(path, chat="bob").messages[0].text == "yo"


def test_unknown_version_and_damage(tmp_path: Path) -> None:
    no_time = json.dumps(
        {"participants": [{"name": "A"}], "messages": [{"sender_name": "A", "content": "x"}]}
    )
    path = write_zip(tmp_path / "facebook.zip", {"messages/inbox/a_1/message_1.json": no_time})
    with pytest.raises(ExportError, match="format version"):
        import_path(path)
    cut = meta_thread(["A"], [meta_message("A", BASE, "x"), meta_message("A", BASE + 1, "y")])[:-40]
    path = write_zip(tmp_path / "cut.zip", {"messages/inbox/a_1/message_1.json": cut})
    with pytest.raises(ExportError, match="damaged or cut short"):
        import_path(path)


def test_platform_comes_from_the_download_not_the_words(tmp_path: Path) -> None:
    thread = "messages/inbox/x_1"
    text = meta_thread(["A", "B"], [meta_message("A", BASE, "add me on instagram, instagram.com/a.b")])
    plain = tmp_path / "download"
    (plain / thread).mkdir(parents=True)
    (plain / thread / "message_1.json").write_text(text)
    assert import_path(plain).format == "messenger"
    (plain / "followers_and_following").mkdir()
    (plain / "followers_and_following" / "followers_1.json").write_text("[]")
    assert import_path(plain).format == "instagram"


def test_every_listed_chat_selects_exactly_one_thread(tmp_path: Path) -> None:
    # The same folder name (the thread's id) in the inbox and the archive is one thread, filed twice.
    members = {
        "messages/inbox/alice_1/message_1.json": meta_thread(
            ["Alice", "Sam"], [meta_message("Alice", BASE, "a")]
        ),
        "messages/archived_threads/alice_1/message_1.json": meta_thread(
            ["Alice", "Sam"], [meta_message("Alice", BASE + 1, "b")]
        ),
        "messages/inbox/alice_10/message_1.json": meta_thread(["Al", "Sam"], [meta_message("Al", BASE, "c")]),
    }
    path = write_zip(tmp_path / "facebook.zip", members)
    with pytest.raises(SeveralChats, match="--chat") as caught:
        import_path(path)
    chats = caught.value.chats
    assert chats == ["alice_1", "alice_10"]
    assert [[m.text for m in import_path(path, chat=c).messages] for c in chats] == [["a", "b"], ["c"]]
    # A part of a name picks a chat only when it picks one; "alice" is two threads, so it asks again.
    with pytest.raises(ExportError, match="more than one chat"):
        import_path(path, chat="alice")
    with pytest.raises(ExportError, match="no chat called"):
        import_path(path, chat="zed")


def test_times_out_of_order_seconds_and_odd_json_are_read_the_slow_way(tmp_path: Path) -> None:
    thread = "messages/inbox/a_1"
    doc = {
        "participants": [{"name": "A"}, {"name": "B"}],
        "messages": [
            {"sender_name": "A", "timestamp_ms": BASE + 2000, "content": "third"},
            {"sender_name": "B", "timestamp": (BASE + 3000) / 1000, "content": "fourth, in seconds"},
            {"sender_name": "A", "timestamp_ms": BASE, "content": "first"},
            {"sender_name": "B", "timestamp_ms": BASE + 1000.5, "content": "second \ud83d"},
        ],
    }
    # A lone surrogate escape is valid JSON that orjson refuses: the standard parser reads it.
    path = write_zip(tmp_path / "facebook.zip", {f"{thread}/message_1.json": json.dumps(doc)})
    chat = import_path(path)
    assert [m.text for m in chat.messages] == ["first", "second \ud83d", "third", "fourth, in seconds"]
    assert [m.source.pointer for m in chat.messages] == [
        "/messages/2",
        "/messages/3",
        "/messages/0",
        "/messages/1",
    ]
    assert (
        chat.messages[3].sent_at is not None and chat.messages[3].sent_at.timestamp() == (BASE + 3000) / 1000
    )
    for bad, match in (
        ({"messages": [{"sender_name": "A", "timestamp_ms": True}]}, "no time"),
        ({"messages": {"sender_name": "A"}}, "not a list"),
        ({"messages": ["hi"]}, "not an object"),
    ):
        path = tmp_path / "message_1.json"
        path.write_text(
            json.dumps(bad) if not isinstance(bad, dict) else json.dumps({**bad, "participants": []})
        )
        with pytest.raises(ExportError, match=match):
            import_path(write_zip(tmp_path / "bad.zip", {f"{thread}/message_1.json": path.read_text()}))


def test_a_file_too_big_to_hold_is_streamed_with_the_same_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_zip(tmp_path / "facebook-brandon-2026-02-02.zip", _split_thread())
    whole = import_path(path).to_json()
    monkeypatch.setattr(json_members, "WHOLE_JSON_BYTES", 0)
    assert import_path(path).to_json() == whole


def test_gathering_leaves_the_collector_as_it_found_it(tmp_path: Path) -> None:
    path = write_zip(tmp_path / "facebook-brandon.zip", _split_thread())
    assert gc.isenabled() and gc.get_freeze_count() == 0
    import_path(path)
    assert gc.isenabled() and gc.get_freeze_count() == 0
    gc.freeze()  # as a server might before it forks: those stay frozen
    try:
        frozen = gc.get_freeze_count()
        import_path(path)
        assert gc.isenabled() and gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()
    gc.disable()
    try:
        import_path(path)
        assert not gc.isenabled()
    finally:
        gc.enable()


def _folder(root: Path, members: dict[str, str]) -> Path:
    for name, text in members.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def _three_files() -> dict[str, str]:
    thread = "messages/inbox/lilyrose_1234567890"
    people = ["Lily Rose", "Tom"]
    return {
        f"{thread}/message_{n}.json": meta_thread(
            people,
            [meta_message("Lily Rose", BASE + (3 - n) * 10_000 + k, f"file {n} row {k}") for k in (1, 0)],
        )
        for n in (1, 2, 3)
    }


def test_a_missing_message_file_is_said_not_silently_skipped(tmp_path: Path) -> None:
    members = _three_files()
    complete = import_path(_folder(tmp_path / "whole", members))
    assert not any("missing" in w for w in complete.warnings)
    del members["messages/inbox/lilyrose_1234567890/message_2.json"]
    chat = import_path(_folder(tmp_path / "gap", members))
    assert len(chat.messages) == 4
    assert any("message_2.json is not there" in w for w in chat.warnings)


def test_a_message_file_that_is_a_link_is_not_followed_but_said(tmp_path: Path) -> None:
    members = _three_files()
    outside = tmp_path / "outside.json"
    outside.write_text(members.pop("messages/inbox/lilyrose_1234567890/message_2.json"), encoding="utf-8")
    folder = _folder(tmp_path / "facebook-tom", members)
    (folder / "messages/inbox/lilyrose_1234567890/message_2.json").symlink_to(outside)
    chat = import_path(folder)
    assert [m.text for m in chat.messages] == ["file 3 row 0", "file 3 row 1", "file 1 row 0", "file 1 row 1"]
    assert any("message_2.json is not there, or not a file sxr can open" in w for w in chat.warnings)


def test_a_row_without_a_sender_keeps_its_photo(tmp_path: Path) -> None:
    thread = "messages/inbox/lilyrose_1234567890"
    row = meta_message("x", BASE + 1, None, photos=[{"uri": f"{thread}/photos/9_n.jpg"}])
    row["sender_name"] = None
    path = write_zip(
        tmp_path / "facebook-tom.zip",
        {
            f"{thread}/message_1.json": meta_thread(
                ["Lily Rose"], [row, meta_message("Lily Rose", BASE, "hi")]
            )
        },
    )
    chat = import_path(path)
    assert [m.text for m in chat.messages] == ["hi"]
    assert chat.notices[0].text == f"({thread}/photos/9_n.jpg)"


def test_a_download_in_html_format_asks_for_json(tmp_path: Path) -> None:
    path = write_zip(
        tmp_path / "facebook-tom.zip",
        {"your_activity_across_facebook/messages/inbox/lilyrose_1234567890/message_1.html": "<html></html>"},
    )
    with pytest.raises(ExportError, match=r"HTML format.*choose JSON"):
        import_path(path)


def test_a_byte_order_mark_is_read_alike_whole_or_streamed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    members = _three_files()
    folder = _folder(tmp_path / "facebook-tom", members)
    first = folder / "messages/inbox/lilyrose_1234567890/message_2.json"
    first.write_bytes(b"\xef\xbb\xbf" + first.read_bytes())
    whole = import_path(folder).to_json()
    monkeypatch.setattr(json_members, "WHOLE_JSON_BYTES", 0)  # every file now streamed
    assert import_path(folder).to_json() == whole
    assert len(whole["messages"]) == 6


def test_one_thread_filed_in_several_folders_is_put_together(tmp_path: Path) -> None:
    people = ["Lily Rose", "Tom"]
    root = "your_activity_across_facebook/messages"
    path = write_zip(
        tmp_path / "facebook-tom.zip",
        {
            f"{root}/message_requests/lilyrose_1234567890/message_1.json": meta_thread(
                people,
                [meta_message("Lily Rose", BASE + 1000, "hey cutie"), meta_message("Lily Rose", BASE, "hi")],
            ),
            f"{root}/inbox/lilyrose_1234567890/message_1.json": meta_thread(
                people,
                [
                    meta_message("Lily Rose", BASE + 3000, "send a pic"),
                    meta_message("Tom", BASE + 2000, "who is this"),
                    meta_message("Lily Rose", BASE + 1000, "hey cutie"),  # in both folders
                ],
            ),
            f"{root}/inbox/someoneelse_99/message_1.json": meta_thread(
                ["Sam", "Tom"], [meta_message("Sam", BASE, "football at 5?")]
            ),
        },
    )
    with pytest.raises(SeveralChats) as several:
        import_path(path)
    assert several.value.chats == ["lilyrose_1234567890", "someoneelse_99"]
    chat = import_path(path, chat="lilyrose_1234567890")
    assert [(m.i, m.text) for m in chat.messages] == [
        (0, "hi"),
        (1, "hey cutie"),
        (2, "who is this"),
        (3, "send a pic"),
    ]
    assert chat.messages[0].source.member.startswith(f"{root}/message_requests/")  # type: ignore[union-attr]
    assert chat.messages[3].source.member.startswith(f"{root}/inbox/")  # type: ignore[union-attr]
    assert any("filed in 2 places" in w and "message_requests, inbox" in w for w in chat.warnings)
