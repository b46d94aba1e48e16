// Command thugom is the one binary of the service. Each subcommand is a file
// of this package that registers itself (register, in an init beside it):
//
//	serve      the HTTP API and pages plus the River workers, migrating first
//	worker     River workers only, any number of them on one database
//	migrate    thugom's migrations and River's, then exit
//	demo       serve on the embedded PostgreSQL with the seeded demo day
//	simulate   a demo day or a harvest week on a simulated clock (demo/sim)
//	solve      one routing instance (Solomon or VRPLIB), the plan as JSON
//	bench      the solver on a folder of benchmark instances, with gaps
//	bench-http a running server loaded at a fixed rate
//	geocode    addresses to communes, points and H3 cells, no database
//	fittravel  the travel model fitted to completed routes
//	token      API tokens: create, list, revoke
//
// config.go reads the flags and the environment shared by the subcommands
// (flags win over the environment, the environment over the defaults) and
// opens the database: DATABASE_URL, or the embedded server on the data dir.
package main
