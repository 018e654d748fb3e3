import affiliate.models  # noqa: F401  (registers every table on the metadata)
from abono.migrations import run_env
from affiliate.config import default_database_url
from affiliate.db import metadata

run_env(metadata, default_database_url())
