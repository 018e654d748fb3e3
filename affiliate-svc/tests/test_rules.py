"""Pure rules of F-1 and F-2."""

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from abono.money import Money
from affiliate.commissions.rules import commission_of, reversal_of
from affiliate.referrals.rules import code_of, email_key, ip_hash, name_key, within_window

T0 = datetime(2026, 1, 1, 12, tzinfo=UTC)


def test_f1_code_is_billings_referral_code() -> None:
    client = uuid.UUID("0123abcd-ef45-6789-abcd-ef0123456789")
    assert code_of(client) == "0123ABCDEF45"


def test_f1_email_key_sees_through_tags_dots_and_case() -> None:
    assert email_key("Ana.Perez+promo@GMail.com") == email_key("anaperez@googlemail.com") == "anaperez@gmail.com"
    assert email_key("ana.perez@empresa.com.ar") != email_key("anaperez@empresa.com.ar")  # dots matter elsewhere
    assert email_key("ana+x@empresa.com.ar") == "ana@empresa.com.ar"


def test_f1_window_boundaries() -> None:
    assert within_window(T0, T0 + timedelta(days=89), 90)
    assert within_window(T0, T0 + timedelta(days=90), 90)
    assert not within_window(T0, T0 + timedelta(days=90, seconds=1), 90)
    assert not within_window(T0, T0 + timedelta(days=91), 90)
    assert not within_window(T0, T0 - timedelta(seconds=1), 90)  # a sign-up before the visit


def test_f1_address_hash_is_keyed_and_stable() -> None:
    assert ip_hash("198.51.100.1", "k") == ip_hash("198.51.100.1", "k") != ip_hash("198.51.100.1", "other")
    assert ip_hash(None, "k") is None


def test_f3_name_key_ignores_accents_case_and_spaces() -> None:
    assert name_key("  ANA   Pérez ") == name_key("ana perez")


def _percent(kind: str | None) -> Decimal:
    return {"domain": Decimal(5)}.get(kind or "", Decimal(10))


def test_f2_commission_rounds_half_up_once_on_the_sum() -> None:
    total = Money(1_005, "USD")
    lines = [{"product_kind": "hosting", "amount_minor": 5}, {"product_kind": "hosting", "amount_minor": 1_000}]
    assert commission_of(total=total, lines=lines, percent_for=_percent) == Money(101, "USD")  # 100.5 → 101
    assert commission_of(total=Money(999, "CLP"), lines=[], percent_for=_percent) == Money(100, "CLP")
    fee_only = [{"product_kind": None, "amount_minor": 10_000}]
    assert commission_of(total=Money(10_000, "USD"), lines=fee_only, percent_for=_percent).is_zero()


def test_f2_reversal_never_exceeds_what_is_left() -> None:
    commission, total = Money(2_000, "USD"), Money(20_000, "USD")
    zero = Money.zero("USD")
    assert reversal_of(commission=commission, already_reversed=zero, invoice_total=total,
                       refunded=Money(5_000, "USD")) == Money(500, "USD")
    assert reversal_of(commission=commission, already_reversed=Money(1_800, "USD"), invoice_total=total,
                       refunded=Money(5_000, "USD")) == Money(200, "USD")
    assert reversal_of(commission=commission, already_reversed=Money(500, "USD"), invoice_total=total,
                       refunded=None) == Money(1_500, "USD")
    assert reversal_of(commission=commission, already_reversed=commission, invoice_total=total,
                       refunded=None).is_zero()
