from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, StrictBool


class PreferencesPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    language: Literal["es", "en"] | None
    whatsapp_opt_out: bool
    marketing_opt_out: bool
    updated_at: datetime | None = None


class PreferencesUpdate(BaseModel):
    """Only these can be changed: transactional e-mail (invoices, suspensions) has no switch (issue #6, item 5)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"language": "es", "whatsapp_opt_out": False, "marketing_opt_out": True}
    ]})

    language: Literal["es", "en"] | None = None  # None: write in the language of the profile
    whatsapp_opt_out: StrictBool | None = None
    marketing_opt_out: StrictBool | None = None
