package thugom

import "strings"

// NormalizePhone returns a Vietnamese phone number in E.164 (+84…), accepting
// the ways people write them: 0912 345 678, 0912.345.678, +84 912345678,
// 84912345678, 0084-912-345-678, and landlines (0205 3871 234). Anything
// else is an EInvalid error naming field.
func NormalizePhone(field, s string) (string, error) {
	var b strings.Builder
	for i, r := range strings.TrimSpace(s) {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && i == 0:
			b.WriteRune(r)
		case r == ' ' || r == '.' || r == '-' || r == '(' || r == ')':
		default:
			return "", Errorf(EInvalid, field, "%q is not a Vietnamese phone number", s)
		}
	}
	d := b.String()
	var rest string
	switch {
	case strings.HasPrefix(d, "+84"):
		rest = d[3:]
	case strings.HasPrefix(d, "+"):
		return "", Errorf(EInvalid, field, "%q is not a Vietnamese number (+84…)", s)
	case strings.HasPrefix(d, "0084"):
		rest = d[4:]
	case strings.HasPrefix(d, "84") && (len(d) == 11 || len(d) == 12):
		rest = d[2:]
	case strings.HasPrefix(d, "0"):
		rest = d[1:]
	default:
		return "", Errorf(EInvalid, field, "%q is not a Vietnamese phone number", s)
	}
	rest = strings.TrimPrefix(rest, "0") // +84 0912… is a common slip
	switch {
	case len(rest) == 9 && strings.ContainsRune("35789", rune(rest[0])): // mobile
	case len(rest) == 10 && rest[0] == '2': // landline with area code (0205 … for Lạng Sơn)
	default:
		return "", Errorf(EInvalid, field, "%q is not a Vietnamese phone number", s)
	}
	return "+84" + rest, nil
}
