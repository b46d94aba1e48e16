// Package thugom holds the nouns of the application: the carriers and their
// post offices (bưu cục) with line-haul departures, the vehicles and drivers
// that collect produce, the farming households that sell online, their
// orders, the plans that route vehicles to them, the tasks and notifications
// of the day, and the errors that mean something to a user.
//
// thugom coordinates the pickup of perishable farm produce sold online by
// households in Lạng Sơn province so that it reaches buyers within the
// promised 24–48 hours. The subpackages adapt technologies to these nouns:
// store (PostgreSQL), jobs (River), api (HTTP); routing and geo are pure
// libraries that know nothing of this package; demo seeds the demo day and
// demo/sim simulates days and weeks through the core. cmd/thugom wires them.
//
// Times are absolute (time.Time, timestamptz in the database). The business
// runs in Asia/Ho_Chi_Minh (UTC+7): see Local. Times of day (departures,
// shifts) are seconds since local midnight.
package thugom
