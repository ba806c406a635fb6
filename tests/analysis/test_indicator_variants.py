"""More ways people write the same details: each yields exactly the expected indicator."""

from __future__ import annotations

import pytest
from analysis_helpers import conversation

from sxr.analysis import analyze

VARIANTS = [
    ("my number's +44 (0)7700 900123", {("phone", "+447700900123")}),
    ("text me 07700-900-456", {("phone", "+447700900456")}),
    ("insta: @lily.rose_x", {("instagram_username", "lily.rose_x")}),
    ("ig - lilyrose_22", {("instagram_username", "lilyrose_22")}),
    ("sc = lily.snaps09", {("snapchat_username", "lily.snaps09")}),
    ("t.me/lily_backup7", {("telegram_username", "lily_backup7")}),
    ("my telegram is @lilybkp", {("telegram_username", "lilybkp")}),
    ("kik me: lily_kik9", {("kik_username", "lily_kik9")}),
    ("Cash App: $LilyRose22", {("cashapp_cashtag", "lilyrose22")}),
    ("send it to £LilyRose22 on cash app", {("cashapp_cashtag", "lilyrose22")}),
    ("paypal.me/lilyrose22/50", {("paypal_me", "lilyrose22")}),
    ("PayPal: lily.rose@example.com", {("email", "lily.rose@example.com")}),
    ("skype: live:.cid.3f2a9b1c", {("skype_id", "live:.cid.3f2a9b1c")}),
    ("add me on skype john.smith_77", {("skype_id", "john.smith_77")}),
    ("fb.com/lily.rose.9", {("facebook_profile", "lily.rose.9")}),
    ("m.facebook.com/profile.php?id=100012345678901", {("facebook_profile", "100012345678901")}),
    ("Western Union MTCN: 8472910365", {("wu_mtcn", "8472910365")}),
    ("MoneyGram ref: 48213377", {("moneygram_reference", "48213377")}),
    ("Amazon claim code: AQ7K-9RTXQ2-MZLP", {("gift_card", "amazon:AQ7K9RTXQ2MZLP")}),
    ("here is the itunes card X4FG7KLM2QPR9ZTD", {("gift_card", "apple:X4FG7KLM2QPR9ZTD")}),
    ("sephora gift card 6J2K-8M4N-9P3Q", {("gift_card", "sephora:6J2K8M4N9P3Q")}),
    ("send USD 500 now", {("amount", "USD:500")}),
    ("500 USD now", {("amount", "USD:500")}),
    ("send $1.5k", {("amount", "USD:1500")}),
    ("£1k by tonight", {("amount", "GBP:1000")}),
    ("1,000 pounds", {("amount", "GBP:1000")}),
    ("50 quid", {("amount", "GBP:50")}),
    ("€200 now", {("amount", "EUR:200")}),
    ("GHS 500", {("amount", "GHS:500")}),
    ("my discord is lily#4821", {("discord_username", "lily#4821")}),
    ("tiktok.com/@lily.dances", {("tiktok_username", "lily.dances")}),
    ("twitter @lily_tweets", {("x_username", "lily_tweets")}),
    ("sort code: 20 29 59 acc no: 63748472", {("uk_bank_account", "202959-63748472")}),
    (
        "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed",
        {("eth_address", "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed")},
    ),
]


@pytest.mark.parametrize(("text", "want"), VARIANTS, ids=[v[0][:40] for v in VARIANTS])
def test_variant(text: str, want: set[tuple[str, str]]) -> None:
    result = analyze(conversation([("A", "hi"), ("A", text)]))
    assert {(i.kind, i.value) for i in result.indicators} == want
