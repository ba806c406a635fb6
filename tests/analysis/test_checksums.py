"""Checksum validators: known-good values pass, the same value with one character changed fails."""

from __future__ import annotations

import pytest

from sxr.analysis.indicators.modulus import parse_table, uk_account_passes
from sxr.checksums import (
    is_valid_btc_address,
    is_valid_eth_address,
    is_valid_iban,
    is_valid_tron_address,
    keccak256,
)


def _change_one(value: str, at: int, alphabet: str) -> str:
    current = value[at]
    replacement = next(c for c in alphabet if c != current and c.lower() != current.lower())
    return value[:at] + replacement + value[at + 1 :]


GOOD_BTC = [
    "1BsXzV2FRbzP8urwN4ZAU17yjjNzNvCnQu",  # P2PKH
    "3ATPGQpkWD1TUVU1WqUZQ1hgSYBF8J1zUM",  # P2SH
    "bc1qp8uq56ytg0j78mxd6snha2xc46l4lae48rk7n6",  # P2WPKH, bech32
    "bc1p66whpjwj6l4f4szzc4dcdnzcflwxg95qu73myly580s24sn96m6qf4zyhv",  # taproot, bech32m
    "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4",  # BIP-173 test vector, upper case
]


@pytest.mark.parametrize("address", GOOD_BTC)
def test_btc_good_and_one_character_broken(address: str) -> None:
    assert is_valid_btc_address(address)
    alphabet = "qpzry9x8gf2tvdw0s3jn54khce6mua7l" if address.lower().startswith("bc1") else "23456789ABCDEFGH"
    broken = _change_one(address, len(address) // 2, alphabet.upper() if address.isupper() else alphabet)
    assert not is_valid_btc_address(broken)


def test_bech32_with_bech32m_checksum_for_version_0_is_rejected() -> None:
    # BIP-350 test vector: a version 0 program with a bech32m checksum is invalid.
    assert not is_valid_btc_address("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh")
    assert not is_valid_btc_address("bc1qp8uq56ytg0j78mxd6Snha2xc46l4lae48rk7n6")  # mixed case


def test_tron_good_and_broken() -> None:
    good = "TRjMxzhCPMFE2o74Xzsf4dSqkS4PtugQMf"
    assert is_valid_tron_address(good)
    assert not is_valid_tron_address(_change_one(good, 10, "23456789abcdef"))
    assert not is_valid_tron_address("1BsXzV2FRbzP8urwN4ZAU17yjjNzNvCnQu")


def test_keccak256_is_ethereum_keccak_not_sha3() -> None:
    assert keccak256(b"").hex() == "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"


@pytest.mark.parametrize(
    "address",
    [
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",  # EIP-55 test vectors
        "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
        "0xaf837916C049Aca3c94903757eA4DBf9dF0f6381",
    ],
)
def test_eip55_good_and_one_character_broken(address: str) -> None:
    assert is_valid_eth_address(address)
    assert is_valid_eth_address(address.lower())  # no checksum claimed: accepted
    digits = [k for k, c in enumerate(address) if k > 2 and c.isdigit()]
    broken = _change_one(address, digits[3], "0123456789")
    assert not is_valid_eth_address(broken)
    head = "".join(c.swapcase() if c.isalpha() else c for c in address[2:12])
    swapped_case = address[:2] + head + address[12:]
    assert not is_valid_eth_address(swapped_case)


@pytest.mark.parametrize("iban", ["GB82WEST12345698765432", "LT121000011101001000", "DE89370400440532013000"])
def test_iban_good_and_one_digit_broken(iban: str) -> None:
    assert is_valid_iban(iban)
    assert not is_valid_iban(_change_one(iban, len(iban) - 1, "0123456789"))
    assert not is_valid_iban(iban[:-1])  # wrong length for the country


def test_uk_modulus_engine_with_a_table() -> None:
    # A table row in valacdos.txt layout: range, method, 14 weights; the account below is built to pass.
    table = tuple(parse_table("089999 089999 MOD10 0 0 0 0 0 0 7 1 3 7 1 3 7 1\n"))
    weights = (0, 0, 0, 0, 0, 0, 7, 1, 3, 7, 1, 3, 7, 1)
    digits = [int(c) for c in "089999" + "6637495"]
    partial = sum(d * w for d, w in zip(digits, weights[:13], strict=True))
    last = (-partial) % 10
    good = "6637495" + str(last)
    assert uk_account_passes("089999", good, table)
    assert not uk_account_passes("089999", "6637495" + str((last + 1) % 10), table)
    # Outside every range of the table: accepted on form, as the module documents.
    assert uk_account_passes("200915", "41011166", table)
    assert not uk_account_passes("20091", "41011166", table)


def test_uk_modulus_exceptions_that_are_modelled() -> None:
    weights = "2 2 2 2 2 2 2 2 6 5 4 3 2 1"
    # Exception 7: g = 9 zeroes the weights of u..b.
    with_7 = tuple(parse_table(f"100000 100099 MOD11 {weights} 7\n"))
    without = tuple(parse_table(f"100000 100099 MOD11 {weights}\n"))
    assert uk_account_passes("100000", "00000094", with_7)
    assert not uk_account_passes("100000", "00000094", without)
    assert not uk_account_passes("100000", "00000086", with_7)  # g = 8: weights kept, sum 24
    # Exception 6: a foreign currency account (a in 4..8 and g = h) cannot be checked: accepted.
    with_6 = tuple(parse_table(f"200000 200099 MOD11 {weights} 6\n"))
    assert uk_account_passes("200000", "40000077", with_6)
    assert not uk_account_passes("200000", "40000078", with_6)
    # Exception 3: c = 6 or 9 skips the double alternate check.
    with_3 = tuple(parse_table("300000 300099 DBLAL 2 1 2 1 2 1 2 1 2 1 2 1 2 1 3\n"))
    assert uk_account_passes("300000", "00600000", with_3)
    assert not uk_account_passes("300000", "00500000", with_3)
