"""Discount labels in words (B-12, B-13; #15 item 6): the engine writes each discount's label in Spanish, the
platform's language, from the templates below, and stores it with its rule; a document in another language
translates it when it is shown, reading the parameters back from the Spanish text by the same template. So rows
written before any of this render too, and nothing stored changes. A label that matches no template (an operator's
wording, a future rule) is shown as stored.
"""

from __future__ import annotations

import re
from functools import cache

SPANISH: dict[str, str] = {
    "cycle": "Pago {cycle}",
    "active_services": "{count} servicios activos",
    "payment_method": "Pago con {method}",
    "coupon": "Cupón {code}",
    "bundle": "{free} sin cargo (cada {size} iguales)",
    "two_for_one": "2x1 nuevos clientes",
}
ENGLISH: dict[str, str] = {
    "cycle": "Paying {cycle}",
    "active_services": "{count} active services",
    "payment_method": "Paying with {method}",
    "coupon": "Coupon {code}",
    "bundle": "{free} free (every {size} alike)",
    "two_for_one": "2-for-1 for new clients",
}
# Parameter values that are themselves words (billing cycles, payment methods), in English.
ENGLISH_WORDS: dict[str, dict[str, str]] = {
    "cycle": {
        "monthly": "monthly",
        "quarterly": "quarterly",
        "semiannual": "every 6 months",
        "annual": "yearly",
        "biennial": "every 2 years",
    },
    "method": {
        "stripe": "card",
        "mercadopago": "MercadoPago",
        "paypal": "PayPal",
        "pagos360": "direct debit",
        "transfer": "bank transfer",
        "zelle": "Zelle",
    },
}
# Why a discount was withheld (B-13), as the engine says it (in usted, the provider's voice), and in English.
SUSPENDED_REASON = "Tiene un servicio suspendido: mientras lo esté, no se aplican descuentos ni cupones."
# The same reason as rows stored before the panel spoke in usted wrote it (voseo): shown in today's wording.
WITHHELD_SPANISH: dict[str, str] = {
    "Tenés un servicio suspendido: mientras lo esté, no se aplican descuentos ni cupones.": SUSPENDED_REASON,
}
WITHHELD_ENGLISH: dict[str, str] = {
    SUSPENDED_REASON: "You have a suspended service: while it is, no discounts or coupons apply.",
}


def spanish(rule: str, **params: object) -> str:
    """The label the engine stores for `rule`."""
    return SPANISH[rule].format(**params)


@cache
def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"\{(\w+)\}", template)  # literal, name, literal, name, ..., literal
    regex = "".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)" for i, part in enumerate(parts))
    return re.compile(f"^{regex}$")


def discount_label(rule: str, label: str, language: str) -> str:
    """A stored discount label in `language` ("es" or "en"); as stored when it cannot be read."""
    if language != "en" or rule not in SPANISH:
        return label
    found = _pattern(SPANISH[rule]).match(label)
    if found is None:
        return label
    params = {name: ENGLISH_WORDS.get(name, {}).get(value, value) for name, value in found.groupdict().items()}
    return ENGLISH[rule].format(**params)


def withheld_reason(reason: str, language: str) -> str:
    """Why a discount was withheld, in `language`; as stored when it is not one the engine writes."""
    reason = WITHHELD_SPANISH.get(reason, reason)
    return WITHHELD_ENGLISH.get(reason, reason) if language == "en" else reason
