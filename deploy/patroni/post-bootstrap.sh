#!/bin/sh
# Runs once, on the member that initialises the cluster: suara's role and database.
set -eu
psql -v ON_ERROR_STOP=1 -d "$1" <<SQL
CREATE ROLE suara LOGIN PASSWORD '${POSTGRES_PASSWORD}';
CREATE DATABASE suara OWNER suara;
SQL
