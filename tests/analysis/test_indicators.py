"""Every indicator kind, in its normal form, with the message and raw text it came from."""

from __future__ import annotations

import pytest
from analysis_helpers import conversation

from sxr.analysis import analyze

BECH32 = "bc1qp8uq56ytg0j78mxd6snha2xc46l4lae48rk7n6"
ETH = "0xaf837916C049Aca3c94903757eA4DBf9dF0f6381"
TRON = "TRjMxzhCPMFE2o74Xzsf4dSqkS4PtugQMf"


def _found(
    pairs: list[tuple[str, str]], fmt: str = "plain", region: str = "GB"
) -> dict[tuple[str, str], int]:
    result = analyze(conversation(pairs, fmt), phone_region=region)
    return {(ind.kind, ind.value): ind.first_i for ind in result.indicators}


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("text me on 07700 900123", "phone", "+447700900123"),
        ("my number is +1 (404) 555-0173", "phone", "+14045550173"),
        ("whatsapp me +234 811 000 0932", "phone", "+2348110000932"),
        ("email me at Lily.Rose@Example.COM", "email", "lily.rose@example.com"),
        ("see facebook.com/profile.php?id=100089123456789", "facebook_profile", "100089123456789"),
        ("https://www.facebook.com/Natasha.K.Salon", "facebook_profile", "natasha.k.salon"),
        ("add me on snap: Lily_X09", "snapchat_username", "lily_x09"),
        ("my insta is @ava.mrtnz", "instagram_username", "ava.mrtnz"),
        ("follow my tiktok @mayat.dances", "tiktok_username", "mayat.dances"),
        ("https://x.com/mayat22", "x_username", "mayat22"),
        ("telegram: @backup_acc77", "telegram_username", "backup_acc77"),
        ("add me on kik jess_kik01", "kik_username", "jess_kik01"),
        ("my discord is gamer.girl09", "discord_username", "gamer.girl09"),
        ("add my skype live:kayla.bby_9", "skype_id", "live:kayla.bby_9"),
        ("cash app $BigMoneyAsh22", "cashapp_cashtag", "bigmoneyash22"),
        ("paypal.me/JoPritchardBikes", "paypal_me", "jopritchardbikes"),
        ("wallet " + BECH32, "btc_address", BECH32),
        ("ETH 0xaf837916C049Aca3c94903757eA4DBf9dF0f6381", "eth_address", ETH.lower()),
        ("USDT TRC20: " + TRON, "tron_address", TRON),
        ("IBAN GB82 WEST 1234 5698 7654 32", "iban", "GB82WEST12345698765432"),
        ("sort code 08-99-99, account 66374958", "uk_bank_account", "089999-66374958"),
        ("MTCN is 148 291 5330", "wu_mtcn", "1482915330"),
        ("moneygram reference 71 93 05 28", "moneygram_reference", "71930528"),
        ("£50 apple gift card: XMQ7 4KTR 9PLW 2HDZ", "gift_card", "apple:XMQ74KTR9PLW2HDZ"),
        ("send £1,200.50 now", "amount", "GBP:1200.50"),
        ("Make it ₦150k", "amount", "NGN:150000"),
        ("300 dollars by tonight", "amount", "USD:300"),
    ],
)
def test_each_kind(text: str, kind: str, value: str) -> None:
    result = analyze(conversation([("Them", "hi"), ("Them", text)]))
    match = [ind for ind in result.indicators if ind.kind == kind]
    assert [ind.value for ind in match] == [value]
    assert match[0].first_i == 1
    assert match[0].messages == [1]
    assert match[0].raw and match[0].raw in text


def test_disguised_handles_and_numbers() -> None:
    found = _found(
        [
            ("A", "s n a p: amelia.rse09 add me there"),
            ("A", "add me on sc ellie underscore x09 its easier"),
            ("A", "can we talk on whatsapp? 0 7 7 0 0 9 0 0 5 4 1"),
            ("A", "add my backup @mila_\u200bx07"),
        ],
        fmt="telegram",
    )
    assert found == {
        ("snapchat_username", "amelia.rse09"): 0,
        ("snapchat_username", "ellie_x09"): 1,
        ("phone", "+447700900541"): 2,
        ("telegram_username", "mila_x07"): 3,
    }


def test_raw_keeps_the_disguise() -> None:
    result = analyze(conversation([("A", "it's maya dot t underscore 22 on snap")]))
    (ind,) = result.indicators
    assert (ind.kind, ind.value, ind.raw) == ("snapchat_username", "maya.t_22", "maya dot t underscore 22")


def test_bad_checksums_are_not_indicators() -> None:
    found = _found(
        [
            ("A", "IBAN LT12 1000 0111 0100 1001"),
            ("A", "0xaf837916C049Aca7c94903757eA4DBf9dF0f6381"),
            ("A", "bc1p66whpjwj6l4f4szzc4dldnzcflwxg95qu73myly580s24sn96m6qf4zyhv"),
            ("A", "TRjMxzhCPMFE2o74Xzsf4dSqkS4PtugQMg"),
        ]
    )
    assert found == {}


def test_split_address_is_one_indicator_at_the_first_half() -> None:
    result = analyze(
        conversation(
            [
                ("A", "send to this address"),
                ("A", "bc1qp8uq56ytg0j78mxd6"),
                ("A", "snha2xc46l4lae48rk7n6"),
                ("B", "is that all one address?"),
            ]
        )
    )
    (ind,) = [i for i in result.indicators if i.kind == "btc_address"]
    assert ind.value == "bc1qp8uq56ytg0j78mxd6snha2xc46l4lae48rk7n6"
    assert (ind.first_i, ind.messages) == (1, [1, 2])
    assert ind.raw == "bc1qp8uq56ytg0j78mxd6 snha2xc46l4lae48rk7n6"


def test_halves_from_two_senders_are_not_joined() -> None:
    found = _found([("A", "bc1qp8uq56ytg0j78mxd6"), ("B", "snha2xc46l4lae48rk7n6")])
    assert not [k for k in found if k[0] == "btc_address"]


def test_mtcn_is_never_a_phone_and_needs_context() -> None:
    found = _found([("A", "Western Union please"), ("B", "Sent. MTCN 103-118-2947")])
    assert found == {("wu_mtcn", "1031182947"): 1}
    assert _found([("A", "my order number is 103 118 2947")]) == {}


def test_phone_region_is_the_deployments() -> None:
    assert _found([("A", "call me on (404) 555-0173")], region="US") == {("phone", "+14045550173"): 0}
    assert _found([("A", "call me on 07700 900123")], region="GB") == {("phone", "+447700900123"): 0}


def test_listed_once_at_first_appearance() -> None:
    result = analyze(conversation([("A", "snap: lily_x09"), ("B", "ok"), ("A", "its lily_x09 on snap")]))
    (ind,) = result.indicators
    assert (ind.first_i, ind.messages) == (0, [0, 2])


def test_hard_negatives_yield_nothing() -> None:
    found = _found(
        [
            ("A", "meet at 10:30 on 07/03/2026, flat 12, postcode BS1 4DJ"),
            ("B", "I am at home. a dot on the map"),
            ("A", "IMG-20260409-WA0003.jpg (file attached)"),
            ("B", "order 1234567890 shipped"),
            ("A", "THE QUICK BROWN FOX"),
        ]
    )
    assert found == {}


@pytest.mark.parametrize(
    "text",
    [
        "see you at 10:30 on 12/05/2026",
        "postcode is SW1A 1AA, flat 3B",
        "the ISBN is 978-3-16-148410-0",
        "UPS tracking 1Z999AA10123456784",
        "order number 1234567890 from amazon",
        "I got a steam deck for my birthday!! 512GB",
        "meet me @ the station",
        "he said his snap is weird",
        "score was 3-1, 2-0 at half time",
        "version 1.2.3.4 released",
        "bitcoin is at 60k again",
        "ABCD-EFGH-IJKL",
    ],
)
def test_ordinary_text_yields_no_identifier(text: str) -> None:
    result = analyze(conversation([("A", "hi"), ("B", text)]))
    assert [(i.kind, i.value) for i in result.indicators if i.kind != "amount"] == []
