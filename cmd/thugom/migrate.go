package main

import (
	"context"
	"fmt"

	"github.com/thugom/thugom/store"
)

func init() {
	register(&command{name: "migrate", summary: "apply the database migrations (thugom's and River's) and exit", run: runMigrate})
}

func runMigrate(ctx context.Context, args []string) error {
	fs, cfg := newConfig("migrate")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := cfg.load(); err != nil {
		return err
	}
	db, closeDB, err := cfg.openDB(ctx)
	if err != nil {
		return err
	}
	defer closeDB()
	res, err := store.Migrate(ctx, db.Pool)
	if err != nil {
		return err
	}
	if !res.Changed() {
		fmt.Println("schema up to date")
		return nil
	}
	for _, v := range res.River {
		fmt.Printf("applied river migration %03d\n", v)
	}
	for _, f := range res.Goose {
		fmt.Printf("applied %s\n", f)
	}
	for _, c := range res.Checks {
		fmt.Printf("remade the CHECK of %s\n", c)
	}
	return nil
}
