package jobs

import (
	"time"

	"github.com/thugom/thugom"
)

// shortLinkDays is how long after its pickup day a window message's link
// still opens the household's page (a postponed pickup gets a new message).
const shortLinkDays = 2

// householdShortLink is the short link a window or changed message
// carries (thugom.ShortLinkURL): "" when Deps.LinkBase is not set (New
// refuses a LinkBase without a LinkSecret). It stays valid through the pickup day and shortLinkDays
// more, and never longer than a short code can say.
func (s *Service) householdShortLink(householdID int64, window time.Time) string {
	if s.deps.LinkBase == "" || householdID == 0 {
		return ""
	}
	through := thugom.Day(window).AddDate(0, 0, shortLinkDays)
	if last := thugom.Day(s.now()).AddDate(0, 0, thugom.ShortLinkMaxAhead); through.After(last) {
		through = last
	}
	return thugom.ShortLinkURL(s.deps.LinkBase, s.deps.LinkSecret, householdID, through)
}
