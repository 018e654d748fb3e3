import gateway.models  # noqa: F401 - registers every table on the metadata (for autogenerate)
from abono.migrations import run_env
from gateway.config import default_database_url
from gateway.db import metadata

run_env(metadata, default_database_url())
