package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"text/tabwriter"
	"time"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/api"
	"github.com/thugom/thugom/jobs"
	"github.com/thugom/thugom/store"
)

func init() {
	register(&command{name: "token", summary: "create, list or revoke API tokens (create|list|revoke)", run: runToken})
}

// runToken: thugom token create --role dispatcher --carrier vnpost [--name ...]
//
//	thugom token create --role marketplace --carrier viettelpost
//	thugom token create --role driver --driver 12
//	thugom token create --role admin
//	thugom token list
//	thugom token revoke --id 7
//
// The token is printed once, on stdout; only its SHA-256 is stored.
func runToken(ctx context.Context, args []string) error {
	if len(args) == 0 || (args[0] != "create" && args[0] != "revoke" && args[0] != "list") {
		fmt.Fprintln(os.Stderr, "usage: thugom token create --role admin|dispatcher|driver|marketplace [--carrier CODE|ID] [--driver ID] [--name TEXT]\n       thugom token list\n       thugom token revoke --id ID")
		return flag.ErrHelp
	}
	sub := args[0]
	fs, cfg := newConfig("token " + sub)
	role := fs.String("role", "", "role of the token: admin, dispatcher, driver or marketplace")
	carrier := fs.String("carrier", "", "carrier code or id (dispatcher and marketplace tokens)")
	driver := fs.Int64("driver", 0, "driver id (driver tokens)")
	name := fs.String("name", "", "a label for the token (who holds it)")
	id := fs.Int64("id", 0, "token id to revoke")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if err := cfg.load(); err != nil {
		return err
	}
	if sub == "revoke" && *id <= 0 {
		return errors.New("token revoke: --id is required")
	}
	db, closeDB, err := cfg.openDB(ctx)
	if err != nil {
		return err
	}
	defer closeDB()
	if _, err := store.Migrate(ctx, db.Pool); err != nil {
		return err
	}
	if sub == "list" {
		return listTokens(ctx, db)
	}
	svc, err := jobs.New(db, jobs.Deps{}) // insert-only: the same core the API calls
	if err != nil {
		return err
	}
	cli := jobs.Actor{Name: "cli"}
	if sub == "revoke" {
		if err := svc.RevokeToken(ctx, *id, cli); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "token %d revoked\n", *id)
		return nil
	}
	t := thugom.Token{Name: *name, Role: *role}
	if (t.Role == thugom.RoleDispatcher || t.Role == thugom.RoleMarketplace) && *carrier == "" {
		return fmt.Errorf("token create: a %s token needs --carrier", t.Role)
	}
	if *carrier != "" {
		cid, err := store.CarrierIDByCode(ctx, db, *carrier)
		if err != nil {
			return err
		}
		t.CarrierID = &cid
	}
	if *driver != 0 {
		t.DriverID = driver
	}
	tok, hash, err := api.NewToken()
	if err != nil {
		return err
	}
	created, err := svc.CreateToken(ctx, t, hash, cli)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "token %d (%s) created; it is shown once:\n", created.ID, created.Role)
	fmt.Println(tok)
	return nil
}

// listTokens prints every token (never their hashes) as a table.
func listTokens(ctx context.Context, db *store.DB) error {
	ts, err := store.ListTokens(ctx, db)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tROLE\tCARRIER\tDRIVER\tNAME\tCREATED\tREVOKED")
	for _, t := range ts {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Role, optID(t.CarrierID), optID(t.DriverID), t.Name,
			t.CreatedAt.Format(time.DateTime), optTime(t.RevokedAt))
	}
	return tw.Flush()
}

func optID(p *int64) string {
	if p == nil {
		return "-"
	}
	return fmt.Sprint(*p)
}

func optTime(p *time.Time) string {
	if p == nil {
		return "-"
	}
	return p.Format(time.DateTime)
}
