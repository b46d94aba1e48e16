-- Queries of the migrations and of the test databases (store/pgtest).

-- name: MigrateLock
-- Serialises migrations across processes (key: "thugom migrate").
SELECT pg_advisory_lock(7286010417);

-- name: MigrateUnlock
SELECT pg_advisory_unlock(7286010417);

-- Administrative statements of scratch databases (store/pgtest's, thugom
-- simulate's): CreateDatabase, DropDatabase. Identifiers cannot be bind
-- parameters: %s are replaced by pgx.Identifier{...}.Sanitize() values.

-- name: CreateDatabase
CREATE DATABASE %s;

-- name: CreateDatabaseFromTemplate
CREATE DATABASE %s TEMPLATE %s;

-- name: DropDatabase
DROP DATABASE IF EXISTS %s WITH (FORCE);
