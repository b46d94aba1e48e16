package main

import (
	"testing"
	"time"
)

// --min-notice reaches jobs.Deps as it reads it: none by default (the
// precise floor still costs the harvest week 1.9 points of promises kept;
// see the README), a given duration, and 0 as none (negative there, since 0
// there is the default), from the flag or THUGOM_MIN_NOTICE; every command
// that plans has the flag.
func TestMinNoticeFlag(t *testing.T) {
	t.Setenv("THUGOM_MIN_NOTICE", "")
	for _, c := range []struct {
		args []string
		want time.Duration
	}{
		{nil, -1},
		{[]string{"--min-notice", "2h"}, 2 * time.Hour},
		{[]string{"--min-notice", "90m"}, 90 * time.Minute},
		{[]string{"--min-notice", "0"}, -1},
	} {
		for _, cmd := range []string{"serve", "demo", "worker", "simulate"} {
			fs, cfg := newConfig(cmd)
			if err := fs.Parse(c.args); err != nil {
				t.Fatalf("%s %v: %v", cmd, c.args, err)
			}
			if got := cfg.minNotice(); got != c.want {
				t.Errorf("%s %v: min notice %v, want %v", cmd, c.args, got, c.want)
			}
		}
	}
	t.Setenv("THUGOM_MIN_NOTICE", "0")
	if fs, cfg := newConfig("serve"); fs.Parse(nil) != nil || cfg.minNotice() != -1 {
		t.Errorf("THUGOM_MIN_NOTICE=0: min notice %v, want none", cfg.minNotice())
	}
	t.Setenv("THUGOM_MIN_NOTICE", "90m")
	if fs, cfg := newConfig("serve"); fs.Parse(nil) != nil || cfg.minNotice() != 90*time.Minute {
		t.Errorf("THUGOM_MIN_NOTICE=90m: min notice %v, want 1h30m", cfg.minNotice())
	}
	if fs, _ := newConfig("migrate"); fs.Lookup("min-notice") != nil {
		t.Error("migrate plans nothing, yet has --min-notice")
	}
}
