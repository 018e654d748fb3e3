import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from support.sla.policy import SlaClass


class BotAsk(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"message": "¿Cómo configuro mi correo en Outlook?", "language": "es"}
    ]})

    message: str = Field(min_length=1, max_length=2_000)
    language: Literal["es", "en"] = "es"


class BotHandoff(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"subject": "No puedo enviar correos desde Outlook", "sla_class": "SLA3"}
    ]})

    subject: str | None = Field(default=None, min_length=3, max_length=200)  # default: the first question
    sla_class: SlaClass = SlaClass.SLA1


class ArticleRef(BaseModel):
    id: uuid.UUID
    title: str
    excerpt: str


class BotTurnPublic(BaseModel):
    author: str
    text: str
    articles: list[ArticleRef]
    at: datetime


class BotConversationPublic(BaseModel):
    id: uuid.UUID
    status: str  # open | solved | handed_off
    language: str
    ticket_id: uuid.UUID | None
    turns: list[BotTurnPublic]
