import affiliate.models  # noqa: F401  (every table on the metadata: autogenerate and the drift check see them all)
from abono.migrations import run_env
from affiliate.config import default_database_url
from affiliate.db import metadata

run_env(metadata, default_database_url())
