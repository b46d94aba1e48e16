// Package e2e holds the end-to-end test of the service: the demo path
// driven through the HTTP API on a real PostgreSQL, with the River workers
// running — orders in (JSON and CSV) → households geocoded → a plan per
// depot → a driver's manifest → a household's pickup page.
package e2e
