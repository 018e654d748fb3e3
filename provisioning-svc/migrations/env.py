from abono.migrations import run_env
from provisioning.config import default_database_url
from provisioning.db import metadata

run_env(metadata, default_database_url())
