"""The report pack: what it holds, and that verify catches any change, addition or removal, by name."""

from __future__ import annotations

import base64
import json
import struct
import zipfile
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from report_sample import CHAT, SCREENSHOT, make_facts

from sxr.reports import pack as pack_module
from sxr.reports.facts import ReportFacts
from sxr.reports.pack import MANIFEST, PackError, PackResult, build_pack, merkle_root, verify_pack
from sxr.reports.signing import public_key_b64


def _rewrite(
    src: Path, dst: Path, change: dict[str, bytes | None] | None = None, add: dict[str, bytes] | None = None
) -> None:
    """Write a well-formed pack with some members replaced (None: removed) or added, as a forger would."""
    change = change or {}
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            data = change.get(info.filename, zin.read(info.filename))
            if data is not None:
                zout.writestr(pack_module._zip_info(info.filename), data)
        for name, data in (add or {}).items():
            zout.writestr(pack_module._zip_info(name), data)


def _names(problems: list[pack_module.Problem]) -> set[str]:
    return {p.path for p in problems}


def test_pack_holds_report_stix_evidence_and_manifest(pack: PackResult) -> None:
    with zipfile.ZipFile(pack.path) as zf:
        names = set(zf.namelist())
        assert names == {
            "report.pdf",
            "report.json",
            "stix.json",
            "evidence/0001-WhatsApp Chat with Lily 🌸.txt",
            "evidence/0002-passwd.png",
            MANIFEST,
        }
        assert zf.read("evidence/0001-WhatsApp Chat with Lily 🌸.txt") == CHAT
        assert zf.read("evidence/0002-passwd.png") == SCREENSHOT
        assert zf.read("report.pdf").startswith(b"%PDF-")
        manifest = json.loads(zf.read(MANIFEST))
    assert {f["path"] for f in manifest["files"]} == names - {MANIFEST}
    assert (
        manifest["merkle_root"]
        == pack.merkle_root
        == merkle_root((f["path"], f["sha256"]) for f in manifest["files"])
    )
    assert manifest["signature"]["public_key"] == pack.public_key
    result = verify_pack(pack.path)
    assert result.ok, result.problems
    assert result.files == 5
    assert result.case_reference == "SXR-7Q4K-2M9D"


def test_report_json_validates_against_the_schema(pack: PackResult) -> None:
    schema = json.loads(resources.files("sxr.reports").joinpath("schema/report-1.0.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    with zipfile.ZipFile(pack.path) as zf:
        doc = json.loads(zf.read("report.json"))
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    validator.validate(doc)
    assert doc["identifiers"][0]["raw"].startswith("it's lily_x09 #set page")  # kept as written
    assert ReportFacts.from_json(doc).to_json() == doc
    doc["identifiers"][0]["first_i"] = "five"
    with pytest.raises(jsonschema.ValidationError):
        validator.validate(doc)


def test_merkle_root_follows_rfc6962_shape() -> None:
    files = [("a", "0" * 64), ("b", "1" * 64), ("c", "2" * 64)]
    leaves = [pack_module._leaf(p, h) for p, h in files]
    expected = pack_module._node(pack_module._node(leaves[0], leaves[1]), leaves[2])
    assert merkle_root(files) == expected.hex()
    assert merkle_root(reversed(files)) == expected.hex()
    assert merkle_root([("a", "0" * 64)]) == leaves[0].hex()


@pytest.mark.parametrize(
    "member",
    [
        "report.pdf",
        "report.json",
        "stix.json",
        "evidence/0001-WhatsApp Chat with Lily 🌸.txt",
        "evidence/0002-passwd.png",
        MANIFEST,
    ],
)
def test_one_changed_byte_in_any_member_fails_naming_it(
    pack: PackResult, tmp_path: Path, member: str
) -> None:
    with zipfile.ZipFile(pack.path) as zf:
        data = bytearray(zf.read(member))
    data[len(data) // 2] ^= 0x01
    forged = tmp_path / "forged.zip"
    _rewrite(pack.path, forged, change={member: bytes(data)})
    result = verify_pack(forged)
    assert not result.ok
    assert member in _names(result.problems), result.problems


def test_a_flipped_byte_in_each_member_on_disk_fails_naming_it(pack: PackResult, tmp_path: Path) -> None:
    raw = pack.path.read_bytes()
    with zipfile.ZipFile(pack.path) as zf:
        infos = zf.infolist()
    for info in infos:
        nlen, elen = struct.unpack("<2H", raw[info.header_offset + 26 : info.header_offset + 30])
        start = info.header_offset + 30 + nlen + elen
        for offset in (start, start + info.compress_size // 2, start + info.compress_size - 1):
            damaged = bytearray(raw)
            damaged[offset] ^= 0x20
            path = tmp_path / "damaged.zip"
            path.write_bytes(bytes(damaged))
            result = verify_pack(path)
            assert info.filename in _names(result.problems), (info.filename, offset, result.problems)


def test_any_flipped_byte_in_the_zip_structure_fails(pack: PackResult, tmp_path: Path) -> None:
    raw = pack.path.read_bytes()
    with zipfile.ZipFile(pack.path) as zf:
        infos = zf.infolist()
    data_ranges = []
    for info in infos:
        nlen, elen = struct.unpack("<2H", raw[info.header_offset + 26 : info.header_offset + 30])
        start = info.header_offset + 30 + nlen + elen
        data_ranges.append(range(start, start + info.compress_size))
    structure = [i for i in range(len(raw)) if not any(i in r for r in data_ranges)]
    assert len(structure) > 300
    path = tmp_path / "damaged.zip"
    slipped = []
    for offset in structure:
        damaged = bytearray(raw)
        damaged[offset] ^= 0x01
        path.write_bytes(bytes(damaged))
        if verify_pack(path).ok:
            slipped.append(offset)
    assert slipped == []


def test_added_and_removed_members_fail_naming_them(pack: PackResult, tmp_path: Path) -> None:
    added = tmp_path / "added.zip"
    _rewrite(pack.path, added, add={"evidence/extra.txt": b"planted"})
    result = verify_pack(added)
    assert "evidence/extra.txt" in _names(result.problems)
    assert any("added" in p.reason for p in result.problems)

    removed = tmp_path / "removed.zip"
    _rewrite(pack.path, removed, change={"evidence/0002-passwd.png": None})
    result = verify_pack(removed)
    assert "evidence/0002-passwd.png" in _names(result.problems)
    assert any("missing" in p.reason for p in result.problems)

    no_manifest = tmp_path / "no-manifest.zip"
    _rewrite(pack.path, no_manifest, change={MANIFEST: None})
    assert MANIFEST in _names(verify_pack(no_manifest).problems)


def test_a_resigned_manifest_fails_against_the_published_key(
    pack: PackResult, tmp_path: Path, signing_key: Ed25519PrivateKey
) -> None:
    with zipfile.ZipFile(pack.path) as zf:
        manifest = json.loads(zf.read(MANIFEST))
    forger = Ed25519PrivateKey.generate()
    body = {k: v for k, v in manifest.items() if k != "signature"}
    body["case_reference"] = "SXR-FORGED"
    manifest = {
        **body,
        "signature": {
            **manifest["signature"],
            "public_key": public_key_b64(forger),
            "value": base64.b64encode(forger.sign(pack_module.canonical(body))).decode(),
        },
    }
    forged = tmp_path / "forged.zip"
    _rewrite(pack.path, forged, change={MANIFEST: pack_module._manifest_bytes(manifest)})
    assert verify_pack(forged).ok  # self-consistent: only the published key tells it apart
    result = verify_pack(forged, public_key=public_key_b64(signing_key))
    assert MANIFEST in _names(result.problems)
    assert verify_pack(pack.path, public_key=public_key_b64(signing_key)).ok

    # Same key, but a signed field changed without re-signing.
    with zipfile.ZipFile(pack.path) as zf:
        original = json.loads(zf.read(MANIFEST))
    original["created_at"] = "2020-01-01T00:00:00+00:00"
    tampered = tmp_path / "tampered.zip"
    _rewrite(pack.path, tampered, change={MANIFEST: pack_module._manifest_bytes(original)})
    result = verify_pack(tampered)
    assert [p.reason for p in result.problems] == ["its signature does not match its contents"]


def test_path_traversal_names_are_refused_and_nothing_is_extracted(pack: PackResult, tmp_path: Path) -> None:
    evil = tmp_path / "evil.zip"
    _rewrite(pack.path, evil)
    with zipfile.ZipFile(evil, "a") as zf:
        zf.writestr("../../outside.txt", b"x")
        zf.writestr("/etc/cron.d/x", b"x")
    result = verify_pack(evil)
    assert {"../../outside.txt", "/etc/cron.d/x"} <= _names(result.problems)
    assert not (tmp_path.parent / "outside.txt").exists()


def test_a_zip_bomb_is_refused_without_inflating_it(pack: PackResult, tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.zip"
    _rewrite(pack.path, bomb)
    with (
        zipfile.ZipFile(bomb, "a", compression=zipfile.ZIP_DEFLATED) as zf,
        zf.open("evidence/zeros.txt", "w") as fh,
    ):
        for _ in range(32):
            fh.write(bytes(1 << 20))
    assert bomb.stat().st_size < 1 << 20
    result = verify_pack(bomb)
    assert any(p.path == "evidence/zeros.txt" and "compressed" in p.reason for p in result.problems)


def test_not_a_zip_and_a_missing_file_fail_clearly(tmp_path: Path) -> None:
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"%PDF-1.7 not a zip")
    assert "not a readable zip" in verify_pack(junk).problems[0].reason
    assert "cannot be read" in verify_pack(tmp_path / "absent.zip").problems[0].reason


def test_build_refuses_an_original_that_does_not_match_its_hash(tmp_path: Path) -> None:
    facts = make_facts()
    key = Ed25519PrivateKey.generate()
    with pytest.raises(PackError, match="does not match its recorded SHA-256"):
        build_pack(facts, {"1": CHAT + b"!", "2": SCREENSHOT}, tmp_path / "p.zip", key)
    with pytest.raises(PackError, match="was not given"):
        build_pack(facts, {"1": CHAT}, tmp_path / "p.zip", key)
    assert list(tmp_path.iterdir()) == []  # no half-written pack left behind


@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("../../etc/passwd", "evidence/0001-passwd"),
        ("C:\\Users\\tom\\chat.txt", "evidence/0001-chat.txt"),
        ("\u202egpj.exe", "evidence/0001-_gpj.exe"),
        ("....", "evidence/0001-item"),
        ("a/", "evidence/0001-item"),
    ],
)
def test_evidence_names_become_safe_pack_paths(name: str, path: str) -> None:
    from datetime import UTC, datetime

    from sxr.evidence.models import EvidenceItem
    from sxr.reports.facts import evidence_entry

    item = EvidenceItem(
        id=1,
        original_name=name,
        kind="image",
        media_type="image/png",
        sha256="0" * 64,
        size=1,
        received_at=datetime(2026, 12, 1, tzinfo=UTC),
        received_by="victim",
    )
    used: set[str] = set()
    entry = evidence_entry(item, 1, used)
    assert entry.path == path and entry.name == name
    assert pack_module._safe_name(entry.path)
    assert evidence_entry(item, 1, used).path != path  # a clash gets a different path
