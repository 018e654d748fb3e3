"""Figures as a client reads them, per language: money with the currency's own decimals (CLP none), dates."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from abono.money import Money, MoneyModel, exponent

_MONTHS = {
    "es": ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
           "noviembre", "diciembre"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
}
_FIELDS = {
    "es": {"name": "nombre", "phone": "teléfono", "country": "país", "language": "idioma", "email": "e-mail",
           "currency": "moneda"},
    "en": {"name": "name", "phone": "phone", "country": "country", "language": "language", "email": "e-mail",
           "currency": "currency"},
}
# Thousands and decimal separators.
_SEPARATORS = {"es": (".", ","), "en": (",", ".")}
_SYMBOLS = {"USD": "US$", "EUR": "€"}
CalendarDate = date  # `date` is also a method name below

# The provider's own time zone (ARCHITECTURE "Time"): instants in messages are shown in it.
PROVIDER_TZ = ZoneInfo("America/Argentina/Buenos_Aires")


class Formatter:
    """Passed to the templates as `fmt`: `{{ fmt.money(total) }}`, `{{ fmt.date(due_on) }}`."""

    def __init__(self, language: str) -> None:
        self.language = language if language in _MONTHS else "es"

    def money(self, value: Money | MoneyModel) -> str:
        """`ARS 12.345,67`, `CLP 15.000`, `US$ 1,250.00` (en): exact, from integer minor units."""
        money = value.to_money() if isinstance(value, MoneyModel) else value
        places = exponent(money.currency)
        thousands, decimal_mark = _SEPARATORS[self.language]
        sign = "-" if money.amount_minor < 0 else ""
        whole, fraction = divmod(abs(money.amount_minor), 10**places)
        text = f"{whole:,}".replace(",", thousands)
        if places:
            text += decimal_mark + str(fraction).zfill(places)
        return f"{sign}{_SYMBOLS.get(money.currency, money.currency)} {text}"

    def fields(self, names: list[str]) -> str:
        """Profile field names as the client reads them: `nombre, teléfono`."""
        return ", ".join(_FIELDS[self.language].get(name, name) for name in names)

    def date(self, value: date | datetime) -> str:
        """`10 de enero de 2027` / `January 10, 2027`."""
        day = value.astimezone(PROVIDER_TZ).date() if isinstance(value, datetime) else value
        month = _MONTHS[self.language][day.month - 1]
        if self.language == "es":
            return f"{day.day} de {month} de {day.year}"
        return f"{month} {day.day}, {day.year}"

    def month(self, value: CalendarDate) -> str:
        """`abril de 2031` / `April 2031`."""
        name = _MONTHS[self.language][value.month - 1]
        return f"{name} de {value.year}" if self.language == "es" else f"{name} {value.year}"

    def datetime(self, value: datetime) -> str:
        """The date and the provider's local time: `10 de enero de 2027, 14:05 (hora de Argentina)`."""
        local = value.astimezone(PROVIDER_TZ)
        zone = "hora de Argentina" if self.language == "es" else "Argentina time"
        return f"{self.date(local.date())}, {local:%H:%M} ({zone})"
