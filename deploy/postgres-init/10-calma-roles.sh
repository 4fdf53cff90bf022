#!/bin/bash
# Create Calma's two database roles and its database, once, when the data volume is new.
#
# calma      owns the database and every table; only the migrate step connects as it.
# calma_app  the runtime role of web, worker and beat: it owns nothing, and gets its grants
#            from `manage.py grant_runtime_role` after each migrate.
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  --set owner_password="${CALMA_DB_PASSWORD:?}" --set app_password="${CALMA_APP_DB_PASSWORD:?}" <<'SQL'
CREATE ROLE calma LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'owner_password';
CREATE ROLE calma_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT PASSWORD :'app_password';
CREATE DATABASE calma OWNER calma;
REVOKE ALL ON DATABASE calma FROM PUBLIC;
GRANT CONNECT ON DATABASE calma TO calma_app;
\connect calma
-- Only the owner creates objects; everyone else gets what grant_runtime_role gives.
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO calma_app;
SQL
