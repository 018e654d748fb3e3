from pydantic_settings import SettingsConfigDict

from abono.settings import ServiceSettings

DEFAULT_DATABASE_URL = "postgresql+asyncpg://postgres:postgres@127.0.0.1:5432/abono_provisioning"


class ProvisioningSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PROVISIONING_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    port: int = 8002


def default_database_url() -> str:
    return ProvisioningSettings().database_url
