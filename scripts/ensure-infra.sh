#!/usr/bin/env bash
# Make sure PostgreSQL and RabbitMQ answer on this machine, for `make run` and `make test`.
#
#   reachable             -> nothing to do
#   installed but stopped -> start it (pg_ctlcluster / rabbitmq-server -detached) and wait for it
#   not installed         -> as root on Debian/Ubuntu: apt-get install postgresql rabbitmq-server, start both,
#                            (and pgbouncer, whose binary the tests run behind transaction pooling)
#                            set the postgres user's password to `postgres` (the default URLs use it)
#   otherwise             -> stop with a message saying how to get them (e.g. docker compose up -d postgres rabbitmq)
#
# Environment (all optional):
#   ABONO_PG_HOST (127.0.0.1)  ABONO_PG_PORT (5432)  ABONO_AMQP_HOST (127.0.0.1)  ABONO_AMQP_PORT (5672)
#   ABONO_INFRA_TIMEOUT  seconds to wait for each server to come up (90)
#   ABONO_INFRA_INSTALL  set to 0 to never apt-get install (just report what is missing)
# Only a server on this machine (127.0.0.1/localhost) is ever started or installed; a remote one is only checked.
set -euo pipefail

PG_HOST=${ABONO_PG_HOST:-127.0.0.1}
PG_PORT=${ABONO_PG_PORT:-5432}
AMQP_HOST=${ABONO_AMQP_HOST:-127.0.0.1}
AMQP_PORT=${ABONO_AMQP_PORT:-5672}
TIMEOUT=${ABONO_INFRA_TIMEOUT:-90}
ALLOW_INSTALL=${ABONO_INFRA_INSTALL:-1}
export PATH="$PATH:/usr/sbin:/sbin:/usr/lib/rabbitmq/bin"

say() { printf 'infra: %s\n' "$*"; }
die() {
  printf 'infra: %s\n' "$*" >&2
  cat >&2 <<EOF
infra: PostgreSQL must answer on $PG_HOST:$PG_PORT (user postgres, password postgres) and RabbitMQ on
infra: $AMQP_HOST:$AMQP_PORT (guest/guest). Ways to get them:
infra:   - Debian/Ubuntu as root: apt-get update && apt-get install -y postgresql rabbitmq-server, then re-run this
infra:   - with Docker: docker compose up -d postgres rabbitmq   (from the repository root)
infra:   - or point the services at yours: <SERVICE>_DATABASE_URL, ABONO_AMQP_URL (and ABONO_PG_*/ABONO_AMQP_* here)
EOF
  exit 1
}

is_local() { [[ $1 == 127.0.0.1 || $1 == localhost || $1 == ::1 ]]; }
tcp_open() { timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null; }
pg_up() {
  if command -v pg_isready >/dev/null; then pg_isready -q -h "$PG_HOST" -p "$PG_PORT" -t 2; else tcp_open "$PG_HOST" "$PG_PORT"; fi
}
amqp_up() { tcp_open "$AMQP_HOST" "$AMQP_PORT"; }
wait_for() { # wait_for WHAT COMMAND...: retry COMMAND for up to $TIMEOUT seconds
  local what=$1 deadline=$((SECONDS + TIMEOUT))
  shift
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || die "$what did not come up within ${TIMEOUT}s"
    sleep 1
  done
}
can_install() { [[ $ALLOW_INSTALL != 0 && $(id -u) == 0 ]] && command -v apt-get >/dev/null; }

INSTALLED_NOW=()
apt_install() { # apt_install PACKAGE...
  say "installing ${*} with apt-get (once; about a minute)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq "$@" >/dev/null
  INSTALLED_NOW+=("$@")
}

# --- PostgreSQL ------------------------------------------------------------------------------------------------------
pg_cluster() { # "<version> <name> <status>" of the Debian cluster configured for $PG_PORT, if any
  pg_lsclusters -h 2>/dev/null | awk -v port="$PG_PORT" '$3 == port {print $1, $2, $4; exit}'
}

ensure_postgres() {
  if pg_up; then say "PostgreSQL answers on $PG_HOST:$PG_PORT"; return; fi
  is_local "$PG_HOST" || die "PostgreSQL does not answer on $PG_HOST:$PG_PORT (not this machine: start it there)"
  if ! command -v pg_ctlcluster >/dev/null; then
    die "PostgreSQL is not installed and I cannot install it (needs root and apt-get)"
  fi
  local cluster version name
  cluster=$(pg_cluster || true)
  if [[ -z $cluster ]]; then
    if pg_lsclusters -h 2>/dev/null | grep -q .; then
      die "no PostgreSQL cluster is configured for port $PG_PORT (pg_lsclusters lists the others)"
    fi
    [[ $(id -u) == 0 ]] || die "PostgreSQL has no cluster; as root: pg_createcluster <version> main --start"
    version=$(find /usr/lib/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' | sort -V | tail -n1)
    [[ -n $version ]] || die "PostgreSQL server binaries not found under /usr/lib/postgresql"
    say "creating PostgreSQL cluster $version/main on port $PG_PORT"
    pg_createcluster -p "$PG_PORT" "$version" main >/dev/null
    cluster="$version main down"
  fi
  read -r version name _ <<<"$cluster"
  say "starting PostgreSQL $version/$name"
  if [[ $(id -u) == 0 ]]; then
    pg_ctlcluster --skip-systemctl-redirect "$version" "$name" start ||
      die "could not start PostgreSQL $version/$name (see /var/log/postgresql/postgresql-$version-$name.log)"
  else
    pg_ctlcluster "$version" "$name" start 2>/dev/null ||
      die "PostgreSQL $version/$name is stopped; start it: sudo pg_ctlcluster $version $name start"
  fi
  wait_for "PostgreSQL" pg_isready -q -h "$PG_HOST" -p "$PG_PORT" -t 2
  say "PostgreSQL $version/$name is up on $PG_HOST:$PG_PORT"
  if [[ " ${INSTALLED_NOW[*]} " == *" postgresql "* ]]; then
    # A fresh Debian cluster asks for a password over TCP: give postgres the one our default URLs use.
    su postgres -c "psql -q -p $PG_PORT -c \"ALTER USER postgres PASSWORD 'postgres'\"" >/dev/null
    say "set the postgres user's password to 'postgres' (the default URLs use it)"
  fi
}

check_postgres_login() { # a warning only: the default URLs log in as postgres/postgres over TCP
  command -v psql >/dev/null || return 0
  if ! PGPASSWORD=postgres PGCONNECT_TIMEOUT=5 psql -h "$PG_HOST" -p "$PG_PORT" -U postgres -d postgres -tAqc 'SELECT 1' \
    >/dev/null 2>&1; then
    say "warning: cannot log in as postgres/postgres over TCP; set <SERVICE>_DATABASE_URL, or as root:"
    say "warning:   su postgres -c \"psql -p $PG_PORT -c \\\"ALTER USER postgres PASSWORD 'postgres'\\\"\""
  fi
}

# --- RabbitMQ --------------------------------------------------------------------------------------------------------
ensure_rabbitmq() {
  if amqp_up; then say "RabbitMQ answers on $AMQP_HOST:$AMQP_PORT"; return; fi
  is_local "$AMQP_HOST" || die "RabbitMQ does not answer on $AMQP_HOST:$AMQP_PORT (not this machine: start it there)"
  if ! command -v rabbitmq-server >/dev/null; then
    die "RabbitMQ is not installed and I cannot install it (needs root and apt-get)"
  fi
  [[ $(id -u) == 0 ]] || die "RabbitMQ is stopped; start it as root: rabbitmq-server -detached (or systemctl start rabbitmq-server)"
  say "starting RabbitMQ"
  # A node that is already running (but not yet listening) refuses a second start: that is fine.
  rabbitmqctl -q status >/dev/null 2>&1 || rabbitmq-server -detached >/dev/null 2>&1 || true
  # `await_startup` fails (rc 69) until the node's CLI distribution is up, so loop on it.
  wait_for "RabbitMQ" rabbitmqctl -q await_startup --timeout 10
  wait_for "RabbitMQ's AMQP listener" amqp_up
  say "RabbitMQ is up on $AMQP_HOST:$AMQP_PORT"
}

# Whatever is missing is installed in one apt-get run (a fresh machine needs both).
preinstall() {
  local wanted=()
  if ! pg_up && is_local "$PG_HOST" && ! command -v pg_ctlcluster >/dev/null; then wanted+=(postgresql); fi
  if ! amqp_up && is_local "$AMQP_HOST" && ! command -v rabbitmq-server >/dev/null; then wanted+=(rabbitmq-server); fi
  # Only the binary: shared/tests/test_pgbouncer.py runs its own PgBouncer (transaction pooling, #12 item 9).
  if ! command -v pgbouncer >/dev/null; then wanted+=(pgbouncer); fi
  if ((${#wanted[@]})) && can_install; then
    apt_install "${wanted[@]}"
    if [[ " ${wanted[*]} " == *" rabbitmq-server "* ]]; then
      # Cheap before the first start: the management UI on :15672 (written to enabled_plugins, no node needed).
      rabbitmq-plugins enable --offline rabbitmq_management >/dev/null 2>&1 || true
    fi
  fi
  return 0
}

preinstall
ensure_postgres
check_postgres_login
ensure_rabbitmq
