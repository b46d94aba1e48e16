package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// CreateDatabase creates database name on the server admin is connected
// to, as a copy of database template when template is not empty: the
// scratch databases of store/pgtest and thugom simulate.
func CreateDatabase(ctx context.Context, admin DBTX, name, template string) error {
	q := fmt.Sprintf(query("CreateDatabase"), ident(name))
	if template != "" {
		q = fmt.Sprintf(query("CreateDatabaseFromTemplate"), ident(name), ident(template))
	}
	_, err := admin.Exec(ctx, q)
	return err
}

// DropDatabase drops database name, if it exists, closing its connections.
func DropDatabase(ctx context.Context, admin DBTX, name string) error {
	_, err := admin.Exec(ctx, fmt.Sprintf(query("DropDatabase"), ident(name)))
	return err
}

// ident quotes a name for SQL: identifiers cannot be bind parameters.
func ident(name string) string { return pgx.Identifier{name}.Sanitize() }
