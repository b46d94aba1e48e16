// Package api is thugom's HTTP interface: one chi router (New) serving the
// JSON API of the three audiences, their pages, and the OpenAPI 3.1
// document at /openapi.json (embedded, kept true by the tests).
//
// # Audiences and authentication
//
// API tokens (Authorization: Bearer thg_…, or ?access_token= for pages
// opened from a link) carry a role: administrator (everything), dispatcher
// (the depots, orders and drivers of their carrier) or driver (their own
// manifest and stops). Only a token's SHA-256 is stored (HashToken);
// tokens are created and revoked with `thugom token create|revoke` or
// /v1/tokens. Households have no password: their page is reached through a
// signed link (SignHouseholdLink: household id and expiry, HMAC-SHA256 with
// Deps.Secret), sent by SMS; a tampered or expired link answers 401.
//
// # Errors
//
// Every error is application/problem+json (RFC 9457) with the application's
// code (thugom.Error) and the field or CSV line at fault: 400 malformed
// JSON or CSV, 401, 403, 404, 409 duplicate or state conflict, 413 body too
// large, 415 wrong Content-Type, 422 invalid field. A CSV import lists
// every bad row in "errors" and imports nothing unless ?keep_good=true.
// Internal errors are logged and answered without detail.
//
// # Writes
//
// Each request that writes runs in one transaction, jobs included (the
// geocoding job of a new household is inserted with River's InsertTx in the
// order's transaction), and appends to the events journal with its actor
// ("dispatcher:token:7", "driver:3/token:9", "household:42"). Drivers'
// reports carry an Idempotency-Key and the phone's time of the event, so an
// offline queue can be replayed: a retry gets the first answer back.
//
// # Pages
//
// The dispatcher's map (/dispatcher#token=…) draws the communes of the
// gazetteer as its base layer (no tile server, no CDN: it works offline),
// the routes coloured per vehicle, the stops by status and the unassigned
// orders with reasons and fixes. The household page (/h/{link}) is
// Vietnamese, mobile first and light (a few kB, no script): the pickup
// window, what to prepare, ready/postpone/cancel buttons and an .ics of the
// window. The printable manifest (/v1/drivers/{id}/manifest.html) puts one
// route per page in large type and never splits a stop across pages.
//
// # Operation
//
// Request bodies are capped (1 MiB JSON, 32 MiB CSV), each request has a
// deadline, answers are gzip-compressed, manifests and pages carry ETags
// (304 on If-None-Match). CORS is closed unless Deps.AllowedOrigins lists
// an origin. Logs name the route pattern, never the raw path or query, so
// tokens and household links stay out of them. /healthz is liveness,
// /readyz checks the database.
package api
