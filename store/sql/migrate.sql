-- Queries of the migrations and of the test databases (store/pgtest).

-- name: MigrateLock
-- Serialises migrations across processes (key: "thugom migrate").
SELECT pg_advisory_lock(7286010417);

-- name: MigrateUnlock
SELECT pg_advisory_unlock(7286010417);

-- Administrative statements of store/pgtest. Identifiers cannot be bind
-- parameters: %s are replaced by pgx.Identifier{...}.Sanitize() values.

-- name: PgtestCreateDatabase
CREATE DATABASE %s;

-- name: PgtestCreateDatabaseFromTemplate
CREATE DATABASE %s TEMPLATE %s;

-- name: PgtestDropDatabase
DROP DATABASE IF EXISTS %s WITH (FORCE);

-- name: DropDatabase
DROP DATABASE IF EXISTS %s WITH (FORCE);

-- name: CreateDatabase
CREATE DATABASE %s;

-- name: SimNoSyncCommit
-- A throwaway database's commits do not wait for the disk (thugom
-- simulate's own, made anew each run).
ALTER DATABASE %s SET synchronous_commit = off;
