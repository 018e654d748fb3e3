import support.models  # noqa: F401  (every table on the metadata: autogenerate and the drift check see them all)
from abono.migrations import run_env
from support.config import default_database_url
from support.db import metadata

run_env(metadata, default_database_url())
