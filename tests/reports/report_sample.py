"""Report facts built by hand: hostile text, emoji, £, ₦, a self-harm mention, two evidence items."""

from __future__ import annotations

import hashlib

from sxr.reports.facts import (
    HOW_TO_VERIFY,
    EvidenceEntry,
    Identifier,
    Payment,
    Production,
    ReportFacts,
    TimelineEntry,
    VictimFacts,
    WatchlistHash,
    crisis_services,
)

# Offender text that would be Typst markup, code, a math block, a label, a reference, control characters,
# a right-to-left override and a very long unbroken line if it were ever spliced into the document.
HOSTILE = (
    '#set page(fill: red) #panic("owned") *bold* _it_ $x^2$ [link] \\ @ref <label> `raw` '
    '= Heading #import "/etc/passwd" \u202egpj.exe\u202c ctrl\x00\x07\x1b\x7f ' + "W" * 2000
)
BTC = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"
IDENTIFIERS = {
    "snapchat_username": "lily_x09",
    "instagram_username": "lily.x09.real",
    "email": "lily.x09@example.com",
    "phone": "+447700900123",
    "btc_address": BTC,
    "uk_bank_account": "040004-12345678",
    "gift_card": "STEAM:ABCD1234EFGH5678",
}
CHAT = "Lily 🌸: heyy u go to Oakfield?\nLily 🌸: pay £400 or ₦50,000 now\n".encode()
SCREENSHOT = bytes(range(256)) * 40  # stands in for an image; the pack stores it as received


def make_facts() -> ReportFacts:
    chat_sha = hashlib.sha256(CHAT).hexdigest()
    identifiers = [
        Identifier(
            kind=k,
            value=v,
            first_i=n * 2,
            first_seen_at=f"2026-11-20T21:{n:02d}:00+00:00",
            raw=f"it's {v} {HOSTILE if n == 0 else '🌸 café'}",
            evidence_item="WhatsApp Chat with Lily 🌸.txt",
            evidence_sha256=chat_sha,
        )
        for n, (k, v) in enumerate(IDENTIFIERS.items())
    ]
    return ReportFacts(
        case_reference="SXR-7Q4K-2M9D",
        production=Production(
            sxr_version="0.1.0", produced_at="2026-11-28T22:00:00+00:00", how_to_verify=HOW_TO_VERIFY
        ),
        victim=VictimFacts(
            what_happened="Someone I met online asked for a pic, then demanded £400 (₦50,000). " + HOSTILE,
            when="2026-11-20",
            platforms=["Instagram", "Snapchat"],
            age_band="13-15",
            paid=True,
        ),
        identifiers=identifiers,
        payments=[
            Payment("btc_address", BTC, "GBP:400", True, 8, "WhatsApp Chat with Lily 🌸.txt"),
            Payment(
                "gift_card", "STEAM:ABCD1234EFGH5678", "GBP:50", None, 12, "WhatsApp Chat with Lily 🌸.txt"
            ),
        ],
        timeline=[
            TimelineEntry(["contact"], 0, "2026-11-20T21:00:00+00:00", "Lily 🌸", "heyy " + HOSTILE[:200]),
            TimelineEntry(
                ["threat", "demand"], 14, "2026-11-20T22:10:00+00:00", "Lily 🌸", "pay £400 or ₦50,000"
            ),
            TimelineEntry(["self_harm"], 20, None, "Tom", "i dont want to be here any more"),
        ],
        evidence=[
            EvidenceEntry(
                "1",
                "WhatsApp Chat with Lily 🌸.txt",
                "chat_export",
                chat_sha,
                len(CHAT),
                "2026-11-21T10:00:00+00:00",
                "victim",
                "evidence/0001-WhatsApp Chat with Lily 🌸.txt",
            ),
            EvidenceEntry(
                "2",
                "../../etc/passwd.png",
                "screenshot",
                hashlib.sha256(SCREENSHOT).hexdigest(),
                len(SCREENSHOT),
                "2026-11-21T10:01:00+00:00",
                "victim",
                "evidence/0002-passwd.png",
            ),
        ],
        watchlist=[WatchlistHash("pdq", "f" * 64, 100), WatchlistHash("md5", "0" * 32, None)],
        export_warnings=["WhatsApp Chat with Lily 🌸.txt: media omitted from the export " + HOSTILE[:100]],
        self_harm_mentioned=True,
        crisis_support=crisis_services(),
    )
