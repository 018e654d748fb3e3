import notify.models  # noqa: F401  (every table on the metadata: autogenerate and the drift check see them all)
from abono.migrations import run_env
from notify.config import default_database_url
from notify.db import metadata

run_env(metadata, default_database_url())
