#!/bin/sh
# Entry point of the Abono image: migrate this service's database (under an advisory lock, so replicas may start
# together), then run its app with uvicorn (`python -m abono.serve`: <PREFIX>WEB_WORKERS processes). Which app:
# SERVICE_MODULE (e.g. billing.app:create_app), on SERVICE_PORT.
#   SERVICE_NAME     service whose database to migrate (default: SERVICE_MODULE's package, e.g. billing)
#   SERVICE_HOST     listen address (0.0.0.0)
#   RUN_MIGRATIONS   true (default) or false, e.g. when a Kubernetes Job or init container migrates instead
#   UVICORN_ARGS     extra uvicorn arguments, e.g. "--log-level warning"
#   SERVICE_ROLE     app (default), or bulk: the service's bulk lane in a process of its own (python -m
#                    abono.bulk_worker SERVICE_MODULE, niced by ABONO_BULK_NICE; no API and no migrations, only
#                    /healthz and /metrics on <PREFIX>BULK_METRICS_PORT), next to the app run with
#                    <PREFIX>BULK_LANE=separate (issue 20)
# Any other command (docker run IMAGE python scripts/keys.py ...) is run as given.
set -eu

if [ "$#" -gt 0 ]; then
  exec "$@"
fi

: "${SERVICE_MODULE:?set SERVICE_MODULE, e.g. billing.app:create_app}"
SERVICE_NAME=${SERVICE_NAME:-${SERVICE_MODULE%%.*}}
SERVICE_PORT=${SERVICE_PORT:-8000}

if [ "${SERVICE_ROLE:-app}" = "bulk" ]; then
  exec python -m abono.bulk_worker "$SERVICE_MODULE"
fi

if [ "${RUN_MIGRATIONS:-true}" = "true" ]; then
  python /app/scripts/migrate.py "$SERVICE_NAME"
fi

# shellcheck disable=SC2086 # UVICORN_ARGS is split on purpose
# --no-proxy-headers: the gateway alone decides whom to believe about X-Forwarded-For (GATEWAY_TRUSTED_PROXIES).
# --timeout-graceful-shutdown: open live streams (the gateway's /api/stream) never end by themselves; past this the
# server cancels them and stops (the pages reconnect to another replica).
# abono.serve: uvicorn with <PREFIX>WEB_WORKERS processes (e.g. BILLING_WEB_WORKERS; default 1), as `make run` does.
exec python -m abono.serve "$SERVICE_MODULE" --host "${SERVICE_HOST:-0.0.0.0}" --port "$SERVICE_PORT" \
  --no-server-header --no-proxy-headers --timeout-graceful-shutdown 10 ${UVICORN_ARGS:-}
