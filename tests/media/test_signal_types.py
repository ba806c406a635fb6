"""The registry of hash types, and files of hashes in the shapes HMA and python-threatexchange exchange."""

from __future__ import annotations

import io
from typing import ClassVar

import pytest

from sxr.media.exact import ExactSignal, Md5Signal, Sha256Signal
from sxr.media.pdq import PdqSignal
from sxr.media.signal import SignalRegistry
from sxr.media.signal_files import SignalFileError, clean_row, read_signal_rows, write_signal_rows
from sxr.media.signal_types import SIGNAL_TYPES
from sxr.media.vpdq import VpdqSignal

PDQ = "d8f8f0cce0f4a84f0e370a22028f67f0b36e2ed596623e1d33e6b39c4e9c9b22"
MD5 = "9e107d9d372bb6826bd81d3542a419d6"


def test_the_registry_holds_every_type_perceptual_first() -> None:
    assert list(SIGNAL_TYPES) == ["pdq", "vpdq", "md5", "sha256"]
    assert SIGNAL_TYPES.single() == [PdqSignal, Md5Signal, Sha256Signal]
    assert SIGNAL_TYPES.framed() == [VpdqSignal]
    assert SIGNAL_TYPES.find(" Video_MD5 ") is Md5Signal
    assert SIGNAL_TYPES.find("tmk") is None
    assert SIGNAL_TYPES.words(SIGNAL_TYPES.single()) == "pdq, md5 or sha256"


def test_the_registry_refuses_a_type_the_watchlist_could_not_hold() -> None:
    class TooLong(ExactSignal):
        name: ClassVar[str] = "sha512"
        description: ClassVar[str] = "a SHA-512"
        hex_digits: ClassVar[int] = 128
        format_message: ClassVar[str] = "A SHA-512 hash is 128 hexadecimal digits."
        empty_file: ClassVar[str] = ""

        @classmethod
        def hash_file(cls, path: object) -> str:
            return ""

    registry = SignalRegistry([Md5Signal])
    with pytest.raises(ValueError, match="at most 64 hex digits"):
        registry.register(TooLong)
    with pytest.raises(ValueError, match="already a hash type named md5"):
        registry.register(Md5Signal)
    TooLong.name, TooLong.hex_digits = "sha512-long", 64
    with pytest.raises(ValueError, match="1 to 8 lower-case"):
        registry.register(TooLong)
    assert list(registry) == ["md5"]


def test_each_type_refuses_in_its_own_words() -> None:
    for signal, bad in ((PdqSignal, "abc"), (Md5Signal, PDQ), (Sha256Signal, MD5), (VpdqSignal, "g" * 64)):
        with pytest.raises(ValueError) as refused:
            signal.validate(bad)
        assert str(refused.value) == signal.format_message
    assert PdqSignal.format_message == "A PDQ hash is 64 hexadecimal digits (0-9 and a-f)."
    with pytest.raises(ValueError, match="quality is 20, below 50"):
        PdqSignal.clean_banked({"type": "pdq", "value": PDQ, "quality": 20})
    with pytest.raises(ValueError, match="all zeros"):
        PdqSignal.clean_banked({"type": "pdq", "value": "0" * 64, "quality": 100})
    with pytest.raises(ValueError, match="MD5 of an empty file"):
        Md5Signal.clean_banked({"type": "md5", "value": Md5Signal.empty_file})
    with pytest.raises(ValueError, match="Frame 1: quality must be a whole number"):
        VpdqSignal.clean_banked({"type": "vpdq", "frames": [{"hash": PDQ, "quality": "high"}]})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"signal_type,signal_value\npdq,{PDQ}\nmd5,{MD5}\n", [(2, "pdq", PDQ, ""), (3, "md5", MD5, "")]),
        # `threatexchange dataset --csv`
        (
            f"signal_type,signal_str,collab,category,tags\nvideo_md5,{MD5},Example,,\n",
            [(2, "md5", MD5, "")],
        ),
        (f"id,hash,type\n7,{PDQ},pdq\n", [(2, "pdq", PDQ, "7")]),
        (f"md5,{MD5}\n\nPDQ,{PDQ}\n", [(1, "md5", MD5, ""), (3, "pdq", PDQ, "")]),  # no header
        (f"pdq {PDQ}\nvideo_md5 {MD5}\n", [(1, "pdq", PDQ, ""), (2, "md5", MD5, "")]),  # plain signal file
    ],
)
def test_files_of_hashes_in_every_shape(text: str, expected: list[tuple[int, str, str, str]]) -> None:
    rows = read_signal_rows(text, SIGNAL_TYPES)
    got = []
    for row in rows:
        signal, value = clean_row(row, SIGNAL_TYPES)
        got.append((row.line, signal.name, value, row.id))
    assert got == expected


def test_files_of_hashes_that_cannot_be_used_say_why_and_where() -> None:
    with pytest.raises(SignalFileError, match="needs a header with a hash type column"):
        read_signal_rows("colour,size\nred,1\n", SIGNAL_TYPES)
    (row,) = read_signal_rows(f"signal_type,signal_value\ntmk,{PDQ}\n", SIGNAL_TYPES)
    with pytest.raises(SignalFileError) as unknown:
        clean_row(row, SIGNAL_TYPES)
    assert unknown.value.where("Line") == (
        "Line 2: the hash type 'tmk' is not one sxr reads from a file (pdq, md5 or sha256)"
    )
    (row,) = read_signal_rows("vpdq,whatever\n", SIGNAL_TYPES)
    with pytest.raises(SignalFileError, match="not one sxr reads from a file"):
        clean_row(row, SIGNAL_TYPES)  # a video's frames are not one value
    (row,) = read_signal_rows("signal_type,signal_value\nmd5,xyz\n", SIGNAL_TYPES)
    with pytest.raises(SignalFileError) as malformed:
        clean_row(row, SIGNAL_TYPES)
    assert malformed.value.where(of=" of the watchlist") == (
        "line 2 of the watchlist: An MD5 hash is 32 hexadecimal digits (0-9 and a-f)."
    )


def test_written_files_read_back() -> None:
    out = io.StringIO()
    assert write_signal_rows(out, [("pdq", PDQ), ("md5", MD5)]) == 2
    assert out.getvalue().splitlines()[0] == "signal_type,signal_value"
    rows = read_signal_rows(out.getvalue(), SIGNAL_TYPES)
    assert [(r.type_name, r.value) for r in rows] == [("pdq", PDQ), ("md5", MD5)]
