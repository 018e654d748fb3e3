"""Countries (ISO 3166-1 alpha-2) and the currency a client of each is billed in unless it picks one: the
gateway's sign-up and billing's public catalog (#19 item 2) read the same table."""

from abono.money import CURRENCY_EXPONENTS

# ISO 3166-1 alpha-2 (Debian iso-codes), so a typo never reaches billing or tax rules.
_ALPHA_2 = """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY
    BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK
    FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR
    IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK
    ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM
    PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF
    TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
    """
COUNTRIES: frozenset[str] = frozenset(_ALPHA_2.split())

_EURO = "AT BE BG CY DE EE ES FI FR GR HR IE IT LT LU LV MT NL PT SI SK"
# Local currencies the provider invoices in (C-4); any other country is billed in US dollars.
_LOCAL_CURRENCY: dict[str, str] = {
    "AR": "ARS",
    "UY": "UYU",
    "CL": "CLP",
    "CO": "COP",
    "PE": "PEN",
    "MX": "MXN",
    "BR": "BRL",
    "BO": "BOB",
    "GT": "GTQ",
    "CR": "CRC",
    "DO": "DOP",
    "PY": "PYG",
    "JP": "JPY",
    **{country: "EUR" for country in _EURO.split()},
}
DEFAULT_CURRENCY = "USD"
# A client may only hold a currency that money.py knows the minor unit of.
CURRENCIES: frozenset[str] = frozenset(CURRENCY_EXPONENTS)


def default_currency(country: str | None) -> str:
    """The currency a client from `country` is billed in when it does not choose one."""
    return _LOCAL_CURRENCY.get(country or "", DEFAULT_CURRENCY)
