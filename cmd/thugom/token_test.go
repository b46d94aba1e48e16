package main

import (
	"regexp"
	"strings"
	"testing"
)

// TestTokenCommand: thugom token creates, lists and revokes through the
// core, as the API does: the token is printed once, the journal has both.
func TestTokenCommand(t *testing.T) {
	t.Parallel()
	dir := dataDir(t)
	out, err := child(t, nil, "token", "create", "--data-dir", dir, "--role", "admin", "--name", "ops").CombinedOutput()
	if err != nil || !regexp.MustCompile(`token 1 \(admin\) created`).Match(out) {
		t.Fatalf("create: %v\n%s", err, out)
	}
	out, err = child(t, nil, "token", "revoke", "--data-dir", dir, "--id", "1").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "token 1 revoked") {
		t.Fatalf("revoke: %v\n%s", err, out)
	}
	out, err = child(t, nil, "token", "revoke", "--data-dir", dir, "--id", "1").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "no live token 1") {
		t.Fatalf("second revoke: %v\n%s", err, out)
	}
	out, err = child(t, nil, "token", "create", "--data-dir", dir, "--role", "dispatcher").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "carrier") {
		t.Fatalf("dispatcher token without carrier: %v\n%s", err, out)
	}
	out, err = child(t, nil, "token", "create", "--data-dir", dir, "--role", "marketplace").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "marketplace token needs --carrier") {
		t.Fatalf("marketplace token without carrier: %v\n%s", err, out)
	}
	out, err = child(t, nil, "token", "list", "--data-dir", dir).CombinedOutput()
	if err != nil || !regexp.MustCompile(`(?m)^1\s+admin\s.*ops`).Match(out) || len(regexp.MustCompile(`(?m)^\d+\s`).FindAll(out, -1)) != 1 {
		t.Fatalf("list: %v\n%s", err, out)
	}
}
