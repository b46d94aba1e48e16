// Command thugom is the one binary of the service: the HTTP API, the River
// workers, migrations, the demo day, and the offline tools (solve, bench,
// geocode, ...). Each subcommand lives in its own file and registers itself
// in init, so the pieces of the binary can grow without touching this file.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"sort"
	"syscall"
)

// command is one subcommand of the binary.
type command struct {
	name    string
	summary string
	// run receives the arguments after the subcommand name. It parses its own
	// flags; flag.ErrHelp means usage was printed and is not a failure.
	run func(ctx context.Context, args []string) error
}

var commands = map[string]*command{}

// flagError is a bad flag or flag value: the command exits with code 2,
// as the flag package does, not 1 (a failure of the work).
type flagError struct{ err error }

func (e flagError) Error() string { return e.err.Error() }
func (e flagError) Unwrap() error { return e.err }

// register adds a subcommand; it is called from init functions.
func register(c *command) {
	if _, dup := commands[c.name]; dup {
		panic("thugom: subcommand registered twice: " + c.name)
	}
	commands[c.name] = c
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: thugom <command> [flags]")
	fmt.Fprintln(os.Stderr, "\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(os.Stderr, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(os.Stderr, "\nRun 'thugom <command> -h' for the flags of one command.")
}

func main() { os.Exit(run()) }

// run runs the subcommand named by the arguments and returns the exit code,
// so that its deferred calls run before the process exits.
func run() int {
	if len(os.Args) < 2 || os.Args[1] == "-h" || os.Args[1] == "--help" || os.Args[1] == "help" {
		usage()
		if len(os.Args) < 2 {
			return 2
		}
		return 0
	}
	c, ok := commands[os.Args[1]]
	if !ok {
		fmt.Fprintf(os.Stderr, "thugom: unknown command %q\n\n", os.Args[1])
		usage()
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := c.run(ctx, os.Args[2:])
	if code := exitCode(err); code != 0 {
		slog.Error("thugom "+c.name+" failed", "err", err)
		fmt.Fprintf(os.Stderr, "thugom %s: %v\n", c.name, err)
		return code
	}
	return 0
}

// exitCode is the exit code for a command's error: 0 for none (or the
// usage asked for), 2 for a bad flag, 1 for a failure.
func exitCode(err error) int {
	switch {
	case err == nil || errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, new(flagError)):
		return 2
	}
	return 1
}
