package store

import (
	"slices"
	"testing"
)

// checkValues reads the values of exactly the definitions PostgreSQL gives
// back for a list of text values, and of nothing else.
func TestCheckValues(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		column, def string
		want        []string
	}{
		{"status", `CHECK ((status = ANY (ARRAY['a'::text, 'b_c'::text])))`, []string{"a", "b_c"}},
		{"status", `CHECK ((status = ANY (ARRAY['it''s'::text, 'a, b'::text])))`, []string{"it's", "a, b"}},
		{"order", `CHECK (("order" = ANY (ARRAY['a'::text])))`, []string{"a"}},
		{"status", `CHECK ((state = ANY (ARRAY['a'::text])))`, nil},
		{"status", `CHECK ((status <> ''::text))`, nil},
		{"status", `CHECK (((status = ANY (ARRAY['a'::text])) OR (status IS NULL)))`, nil},
		{"status", `CHECK ((status = ANY ('{}'::text[])))`, nil},
	} {
		if got := checkValues(tc.column, tc.def); !slices.Equal(got, tc.want) {
			t.Errorf("checkValues(%q, %q) = %q, want %q", tc.column, tc.def, got, tc.want)
		}
	}
}

func TestQuoteLiteral(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"done":   `'done'`,
		"it's":   `'it''s'`,
		`a\b`:    `E'a\\b'`,
		`'); --`: `'''); --'`,
	} {
		if got, err := quoteLiteral(in); err != nil || got != want {
			t.Errorf("quoteLiteral(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := quoteLiteral("a\x00"); err == nil {
		t.Error("quoteLiteral took a NUL byte")
	}
}
