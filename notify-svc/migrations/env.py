from abono.migrations import run_env
from notify.config import default_database_url
from notify.db import load_models, metadata

load_models()
run_env(metadata, default_database_url())
