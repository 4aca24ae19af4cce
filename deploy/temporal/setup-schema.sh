#!/bin/sh
# Creates or upgrades Temporal's two PostgreSQL databases (history and visibility) with the
# temporal-sql-tool of the admin-tools image whose version matches the server's. Safe to run on
# every `docker compose up`: an existing database is kept and update-schema applies only the
# versions it lacks. Reads DB, POSTGRES_SEEDS, DB_PORT, POSTGRES_USER, SQL_PASSWORD,
# DBNAME and VISIBILITY_DBNAME from the environment (docker-compose.yml).
set -eu

schema=/etc/temporal/schema/postgresql/v12
sqltool() {
  temporal-sql-tool --plugin "$DB" --ep "$POSTGRES_SEEDS" -p "$DB_PORT" -u "$POSTGRES_USER" "$@"
}

for pair in "$DBNAME:temporal" "$VISIBILITY_DBNAME:visibility"; do
  db=${pair%%:*}
  kind=${pair#*:}
  echo "Temporal schema: $db ($kind)"
  sqltool --db "$db" create
  sqltool --db "$db" setup-schema -v 0.0
  sqltool --db "$db" update-schema -d "$schema/$kind/versioned"
done
echo "Temporal schema: up to date"
