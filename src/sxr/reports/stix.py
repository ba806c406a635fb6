"""stix.json: the offender's observables as a STIX 2.1 bundle, with new observables for payments."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import stix2
from stix2.properties import BooleanProperty, StringProperty

from sxr.analysis.vocabulary import indicator_kind
from sxr.reports.facts import ReportFacts

_NS = uuid.UUID("6f1b8c4e-5a3d-4f0e-9b1e-2f7d3c9a8e51")
# One extension definition per new observable type (stix2 registers each definition once).
ACCOUNT_EXTENSION_ID = f"extension-definition--{uuid.uuid5(_NS, 'sxr-payment-account-1.0')}"
PAYMENT_EXTENSION_ID = f"extension-definition--{uuid.uuid5(_NS, 'sxr-payment-1.0')}"
PRODUCER_ID = f"identity--{uuid.uuid5(_NS, 'sxr')}"
_EPOCH = datetime(2026, 11, 28, tzinfo=UTC)


@stix2.v21.CustomObservable(
    "x-sxr-payment-account",
    [
        ("method", StringProperty(required=True)),
        ("value", StringProperty(required=True)),
    ],
    ["method", "value"],
    ACCOUNT_EXTENSION_ID,
)
class PaymentAccount:
    """Where money was to be sent: a wallet, bank account, cashtag, transfer or gift-card reference."""


@stix2.v21.CustomObservable(
    "x-sxr-payment",
    [
        ("method", StringProperty(required=True)),
        ("amount", StringProperty()),
        ("reference", StringProperty()),
        ("collected", BooleanProperty()),
        ("case_reference", StringProperty()),
    ],
    ["method", "reference", "amount", "case_reference"],
    PAYMENT_EXTENSION_ID,
)
class PaymentObservable:
    """A payment demanded or made: method, amount ("CUR:NUMBER"), reference and whether it was collected."""


# The decorated classes are built at run time; mypy cannot see their properties.
_PaymentAccount: Any = PaymentAccount
_Payment: Any = PaymentObservable


def extension_definitions() -> list[stix2.v21.ExtensionDefinition]:
    """The extension definitions of sxr's payment observables (a bundle using them carries them)."""
    common: dict[str, Any] = {
        "created_by_ref": PRODUCER_ID,
        "created": _EPOCH,
        "modified": _EPOCH,
        "version": "1.0",
        "extension_types": ["new-sco"],
    }
    return [
        stix2.v21.ExtensionDefinition(
            id=ACCOUNT_EXTENSION_ID,
            name="sxr payment account",
            description="Where a sextortion payment was to be sent: a wallet, bank account, cashtag, "
            "transfer or gift-card reference.",
            schema="x-sxr-payment-account: method (an sxr indicator kind, e.g. btc_address, iban, "
            "gift_card; required), value (its normal form; required).",
            **common,
        ),
        stix2.v21.ExtensionDefinition(
            id=PAYMENT_EXTENSION_ID,
            name="sxr payment",
            description="A sextortion payment demanded or made.",
            schema="x-sxr-payment: method (required), amount (CUR:NUMBER), reference, collected (true "
            "when the chat says the payment was made), case_reference.",
            **common,
        ),
    ]


def _time(value: str | None, default: datetime) -> datetime:
    if not value:
        return default
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return default
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def indicator_observables(name: str, value: str) -> list[Any]:
    """The STIX observables of one indicator, as its kind's row in the vocabulary maps them."""
    kind = indicator_kind(name)
    if kind is None:
        return []
    out: list[Any] = []
    if kind.stix_observable == "email-addr":
        out.append(stix2.v21.EmailAddress(value=value))
    elif kind.stix_observable == "user-account":
        if kind.numeric_profile_url is not None and value.isdigit():
            out.append(stix2.v21.UserAccount(account_type=kind.stix_account_type, user_id=value))
        else:
            out.append(stix2.v21.UserAccount(account_type=kind.stix_account_type, account_login=value))
    if kind.is_payment_method:
        out.append(_PaymentAccount(method=kind.name, value=value))
    link = kind.profile_link(value)
    if link is not None:
        out.append(stix2.v21.URL(value=link))
    return out


def build_stix(facts: ReportFacts) -> str:
    """The STIX 2.1 bundle for the facts, serialised as JSON."""
    produced = _time(facts.production.produced_at, datetime.now(UTC))
    producer = stix2.v21.Identity(
        id=PRODUCER_ID,
        created=_EPOCH,
        modified=_EPOCH,
        name="sxr report pack",
        identity_class="system",
        description="A sextortion response service deployment that produced this bundle.",
    )
    objects: list[Any] = [producer, *extension_definitions()]
    seen: dict[str, Any] = {}
    groups: dict[str | None, list[tuple[str, datetime]]] = {}
    for ident in facts.identifiers:
        at = _time(ident.first_seen_at, produced)
        for obs in indicator_observables(ident.kind, ident.value):
            if obs.id not in seen:
                seen[obs.id] = obs
            groups.setdefault(ident.evidence_item, []).append((obs.id, at))
    for pay in facts.payments:
        obs = _Payment(
            method=pay.method,
            amount=pay.amount,
            reference=pay.reference,
            collected=pay.collected,
            case_reference=facts.case_reference,
        )
        seen.setdefault(obs.id, obs)
        groups.setdefault(pay.evidence_item, []).append((obs.id, produced))
    objects.extend(seen.values())
    case_ref = {"source_name": "sxr case", "external_id": facts.case_reference}
    for item, refs in groups.items():
        ids = list(dict.fromkeys(r for r, _ in refs))
        times = [t for _, t in refs]
        objects.append(
            stix2.v21.ObservedData(
                created_by_ref=PRODUCER_ID,
                created=produced,
                modified=produced,
                first_observed=min(times),
                last_observed=max(times),
                number_observed=1,
                allow_custom=True,
                object_refs=ids,
                external_references=[
                    case_ref,
                    *([{"source_name": "sxr evidence item", "description": item}] if item else []),
                ],
            )
        )
    bundle = stix2.v21.Bundle(objects=objects, allow_custom=True)
    return str(bundle.serialize(pretty=True, ensure_ascii=False)) + "\n"
