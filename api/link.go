package api

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"time"
)

// TokenPrefix starts every API token, so a leaked token is easy to spot
// (and to grep for in logs that should never contain one).
const TokenPrefix = "thg_"

// NewToken returns a fresh random API token (shown once to its owner) and
// the hash stored in the database.
func NewToken() (token string, hash []byte, err error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", nil, fmt.Errorf("new token: %w", err)
	}
	token = TokenPrefix + base64.RawURLEncoding.EncodeToString(b[:])
	return token, HashToken(token), nil
}

// HashToken is what the database keeps of a token: its SHA-256. The token
// carries 256 random bits, so a plain hash is enough (no salt or stretching
// is needed against guessing).
func HashToken(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

// household links: /h/<payload>.<mac>, payload = household id (uvarint) +
// expiry (unix seconds, uvarint), base64url; mac = first 16 bytes of
// HMAC-SHA256(secret, "household:" + payload). Short enough for an SMS.
const linkMACLen = 16

var (
	errLinkInvalid = errors.New("household link is invalid")
	errLinkExpired = errors.New("household link has expired")
)

// SignHouseholdLink returns the signed link token for a household, valid
// until exp.
func SignHouseholdLink(secret []byte, householdID int64, exp time.Time) string {
	buf := binary.AppendUvarint(nil, uint64(householdID))
	buf = binary.AppendUvarint(buf, uint64(exp.Unix()))
	p := base64.RawURLEncoding.EncodeToString(buf)
	return p + "." + base64.RawURLEncoding.EncodeToString(linkMAC(secret, p))
}

// HouseholdPageURL is the household's pickup page, e.g. for an SMS.
func HouseholdPageURL(baseURL string, secret []byte, householdID int64, exp time.Time) string {
	return strings.TrimRight(baseURL, "/") + "/h/" + SignHouseholdLink(secret, householdID, exp)
}

// VerifyHouseholdLink checks a link token and returns the household id.
func VerifyHouseholdLink(secret []byte, link string, now time.Time) (int64, error) {
	p, m, ok := strings.Cut(link, ".")
	if !ok || len(link) > 200 {
		return 0, errLinkInvalid
	}
	mac, err := base64.RawURLEncoding.DecodeString(m)
	if err != nil || subtle.ConstantTimeCompare(mac, linkMAC(secret, p)) != 1 {
		return 0, errLinkInvalid
	}
	buf, err := base64.RawURLEncoding.DecodeString(p)
	if err != nil {
		return 0, errLinkInvalid
	}
	id, n := binary.Uvarint(buf)
	if n <= 0 {
		return 0, errLinkInvalid
	}
	exp, n2 := binary.Uvarint(buf[n:])
	if n2 <= 0 || n+n2 != len(buf) {
		return 0, errLinkInvalid
	}
	if now.Unix() >= int64(exp) {
		return 0, errLinkExpired
	}
	return int64(id), nil
}

func linkMAC(secret []byte, payload string) []byte {
	h := hmac.New(sha256.New, secret)
	h.Write([]byte("household:"))
	h.Write([]byte(payload))
	return h.Sum(nil)[:linkMACLen]
}
