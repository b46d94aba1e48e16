package api_test

import (
	"fmt"
	"time"

	"github.com/thugom/thugom/api"
)

// A household's page link, as sent by SMS, and its check on the way back.
func ExampleSignHouseholdLink() {
	secret := []byte("a secret of at least sixteen bytes")
	now := time.Date(2026, 11, 23, 6, 0, 0, 0, time.UTC)
	link := api.SignHouseholdLink(secret, 42, now.Add(72*time.Hour))

	id, err := api.VerifyHouseholdLink(secret, link, now)
	fmt.Println(id, err)
	_, err = api.VerifyHouseholdLink(secret, link, now.Add(73*time.Hour))
	fmt.Println(err)
	_, err = api.VerifyHouseholdLink([]byte("another secret, sixteen+"), link, now)
	fmt.Println(err)
	// Output:
	// 42 <nil>
	// household link has expired
	// household link is invalid
}

// API tokens are random; the database keeps only their hash.
func ExampleNewToken() {
	token, hash, _ := api.NewToken()
	fmt.Println(len(token) > 40, len(hash), string(api.HashToken(token)) == string(hash))
	// Output: true 32 true
}
