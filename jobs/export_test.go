package jobs

import "github.com/thugom/thugom/store"

// Hooks are the service's test hooks (service.go), for the package's
// external tests: production code cannot set them.
type Hooks = hooks

// NewWithHooks is New with test hooks.
func NewWithHooks(db *store.DB, deps Deps, h Hooks) (*Service, error) {
	return newService(db, deps, h)
}
