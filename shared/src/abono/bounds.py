"""Bounded request fields, shared by every service (issue 11): each number and string a client sends has a
maximum declared in the schema, so the OpenAPI document states it and nothing oversized reaches PostgreSQL (an
integer past 2^63-1 used to answer 500) or is echoed back in an error.

Bodies use the strict types (`StrictInt`: `false` is not 0); query parameters arrive as text and use the `*Query`
aliases."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query
from pydantic import Field, StrictInt

# Money in minor units: 10^14 is 1 trillion USD, far past any invoice, and a hundred of them summed still fits in
# PostgreSQL's bigint (2^63-1 ≈ 9.2 * 10^18).
MAX_MONEY_MINOR = 10**14
MAX_COUNT = 1_000_000
MAX_OFFSET = 100_000
MAX_PAGE_SIZE = 500

MoneyMinor = Annotated[StrictInt, Field(ge=0, le=MAX_MONEY_MINOR)]
PositiveMoneyMinor = Annotated[StrictInt, Field(gt=0, le=MAX_MONEY_MINOR)]
# How many times, items, uses: at least 1.
Count = Annotated[StrictInt, Field(ge=1, le=MAX_COUNT)]

# Identifiers a person types or a system assigns (codes, methods, references).
Code = Annotated[str, Field(min_length=1, max_length=64)]
# RFC 5321's longest address path.
EmailText = Annotated[str, Field(min_length=3, max_length=254)]
# A name, a label, a subject line.
ShortText = Annotated[str, Field(max_length=200)]
# A description, a note, a message body.
LongText = Annotated[str, Field(max_length=10_000)]
# Opaque tokens (links, CSRF, provider references).
Token = Annotated[str, Field(min_length=1, max_length=512)]

OffsetQuery = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Items to skip")]
PageSizeQuery = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="Items to return at most")]
CodeQuery = Annotated[str, Query(min_length=1, max_length=64)]
CodePath = Annotated[str, Path(min_length=1, max_length=64)]
TokenPath = Annotated[str, Path(min_length=1, max_length=512)]
# Serial ids (bigint): positive and within PostgreSQL's range.
SerialIdPath = Annotated[int, Path(ge=1, le=2**63 - 1)]
# The staff console's search box (issue 14): what a person types to find a client, an invoice, a service.
SearchQuery = Annotated[str, Query(min_length=1, max_length=100, description="What to find")]
