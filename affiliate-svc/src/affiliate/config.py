from pydantic_settings import SettingsConfigDict

from abono.settings import ServiceSettings

DEFAULT_DATABASE_URL = "postgresql+asyncpg://postgres:postgres@127.0.0.1:5432/abono_affiliate"


class AffiliateSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="AFFILIATE_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    port: int = 8005


def default_database_url() -> str:
    return AffiliateSettings().database_url
