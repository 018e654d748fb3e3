-- Run once by the postgres:15 image on an empty data volume (docker-compose.yml mounts it into
-- /docker-entrypoint-initdb.d/). One database per service; each service migrates its own on start.
CREATE DATABASE abono_gateway;
CREATE DATABASE abono_billing;
CREATE DATABASE abono_provisioning;
CREATE DATABASE abono_notify;
CREATE DATABASE abono_support;
CREATE DATABASE abono_affiliate;
