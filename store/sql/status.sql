-- Queries of the status columns' CHECK constraints, which Migrate makes
-- from the Go lists (store/status.go). Identifiers and literals cannot be
-- bind parameters of DDL: %[n]s are replaced by pgx.Identifier{...}.Sanitize()
-- values (identifiers) and quoteLiteral values (the list's statuses).

-- name: StatusChecks
-- The single-column CHECK constraints of table $1's column $2: the ones
-- the step owns.
SELECT k.conname, pg_get_constraintdef(k.oid)
FROM pg_constraint k
JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = ANY (k.conkey)
WHERE k.contype = 'c' AND k.conrelid = $1::regclass AND a.attname = $2 AND cardinality(k.conkey) = 1
ORDER BY k.conname;

-- name: StatusCheckDrop
-- %[1]s the table, %[2]s the constraint.
ALTER TABLE %[1]s DROP CONSTRAINT %[2]s;

-- name: StatusCheckAdd
-- %[1]s the table, %[2]s the constraint, %[3]s the column, %[4]s the
-- statuses as quoted literals, comma-separated.
ALTER TABLE %[1]s ADD CONSTRAINT %[2]s CHECK (%[3]s = ANY (ARRAY[%[4]s]::text[]));

-- name: StatusValuesOutside
-- The values rows of table %[1]s hold in column %[2]s that the list $1
-- lacks (run after the drop, whose lock keeps new rows out).
SELECT DISTINCT %[2]s FROM %[1]s WHERE NOT (%[2]s = ANY ($1::text[])) ORDER BY 1;
