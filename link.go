package thugom

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"math/big"
	"strings"
	"time"
)

// Short household links, for the window SMS: <host>/s/<code>, where code
// is base62 (letters and digits only, so that no phone's linkifier stops
// at a '-' or '_' and a household can type it) of the number
//
//	(householdID << 5 | expiry day mod 32) << 48 | MAC
//
// MAC is the first 6 bytes of HMAC-SHA256(secret, "household-short:" +
// household id + full expiry day). The code is stateless: nothing is
// stored, and it only leads (GET /s/{code}) to the household's long signed
// page link (/h/...). A household id under 358,000 takes at most 12
// characters ("thugom.vn/s/" + 12 = 24 septets), under 5,774 at most 11.
//
// Why 48 bits of MAC are enough: a guess names one household and one day
// and is right with probability 2^-48 whatever it names, so trying many
// households does not help. The API answers at most a few dozen wrong
// codes per client per hour and a bounded number overall (api/shortlink.go):
// even a sustained 100 wrong codes a second for a year (3·10^9 guesses)
// finds a valid code with probability about 10^-5, and a code stops
// working a few days after its pickup day.
//
// Only the expiry day's last 5 bits travel: the verifier takes the day
// with those bits nearest today within [today-15, today+16] and checks the
// MAC over that full day. A code must therefore expire at most
// ShortLinkMaxAhead days after it is sent; an older code resolves to the
// wrong day and fails as invalid (a year-old code never comes back to life).

// ShortLinkMaxAhead is how far after today a short code's last valid day
// may be.
const ShortLinkMaxAhead = 16

const (
	shortLinkMACBytes = 6
	shortLinkDayBits  = 5
	shortLinkMaxLen   = 20 // longer codes are not ours (ids stay far below 2^60)
	base62Digits      = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
)

// Errors of VerifyShortLink.
var (
	ErrShortLinkInvalid = errors.New("short link is invalid")
	ErrShortLinkExpired = errors.New("short link has expired")
)

// dayNumber is the local calendar day of t as days since 1970-01-01.
func dayNumber(t time.Time) int64 {
	y, m, d := t.In(Local).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
}

// SignShortLink returns the short code of a household's page, valid
// through the local day of through (inclusive), which must be at most
// ShortLinkMaxAhead days after the day the code is used.
func SignShortLink(secret []byte, householdID int64, through time.Time) string {
	if householdID <= 0 {
		return ""
	}
	day := dayNumber(through)
	n := new(big.Int).SetUint64(uint64(householdID)<<shortLinkDayBits | uint64(day)&(1<<shortLinkDayBits-1))
	n.Lsh(n, 8*shortLinkMACBytes)
	n.Or(n, new(big.Int).SetBytes(shortLinkMAC(secret, householdID, day)))
	return base62(n)
}

// VerifyShortLink checks a short code at now and returns its household.
// A code whose last day is before today is ErrShortLinkExpired; anything
// else wrong (tampered, another secret, not base62, too long) is
// ErrShortLinkInvalid.
func VerifyShortLink(secret []byte, code string, now time.Time) (int64, error) {
	if len(code) == 0 || len(code) > shortLinkMaxLen {
		return 0, ErrShortLinkInvalid
	}
	n := new(big.Int)
	base := big.NewInt(62)
	for i := 0; i < len(code); i++ {
		d := strings.IndexByte(base62Digits, code[i])
		if d < 0 {
			return 0, ErrShortLinkInvalid
		}
		n.Mul(n, base).Add(n, big.NewInt(int64(d)))
	}
	macBits := uint(8 * shortLinkMACBytes)
	mac := make([]byte, shortLinkMACBytes)
	new(big.Int).And(n, new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), macBits), big.NewInt(1))).FillBytes(mac)
	head := new(big.Int).Rsh(n, macBits)
	if !head.IsUint64() || head.Uint64()>>shortLinkDayBits == 0 || head.Uint64()>>shortLinkDayBits > 1<<62 {
		return 0, ErrShortLinkInvalid
	}
	if base62(n) != code { // leading zeros: one code per value
		return 0, ErrShortLinkInvalid
	}
	id := int64(head.Uint64() >> shortLinkDayBits)
	low := int64(head.Uint64() & (1<<shortLinkDayBits - 1))
	today := dayNumber(now)
	// The day with these low bits in [today-15, today+16].
	const span = 1 << shortLinkDayBits
	day := today + ShortLinkMaxAhead - ((today+ShortLinkMaxAhead-low)%span+span)%span
	if subtle.ConstantTimeCompare(mac, shortLinkMAC(secret, id, day)) != 1 {
		return 0, ErrShortLinkInvalid
	}
	if day < today {
		return 0, ErrShortLinkExpired
	}
	return id, nil
}

// ShortLinkURL is the short link as an SMS carries it: base without its
// scheme ("https://thugom.vn" or "thugom.vn" give "thugom.vn/s/<code>").
// An empty base, a secret under 16 bytes or no household gives "" (no
// link).
func ShortLinkURL(base string, secret []byte, householdID int64, through time.Time) string {
	host := strings.TrimRight(strings.TrimSpace(base), "/")
	if i := strings.Index(host, "://"); i >= 0 {
		host = host[i+3:]
	}
	if host == "" || len(secret) < 16 || householdID <= 0 {
		return ""
	}
	return host + "/s/" + SignShortLink(secret, householdID, through)
}

func shortLinkMAC(secret []byte, householdID, day int64) []byte {
	h := hmac.New(sha256.New, secret)
	h.Write([]byte("household-short:"))
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(householdID))
	binary.BigEndian.PutUint64(b[8:], uint64(day))
	h.Write(b[:])
	return h.Sum(nil)[:shortLinkMACBytes]
}

func base62(n *big.Int) string {
	if n.Sign() == 0 {
		return "0"
	}
	var out []byte
	n = new(big.Int).Set(n)
	base, r := big.NewInt(62), new(big.Int)
	for n.Sign() > 0 {
		n.QuoRem(n, base, r)
		out = append(out, base62Digits[r.Int64()])
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return string(out)
}
