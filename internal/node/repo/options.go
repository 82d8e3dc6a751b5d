package repo

import (
	"log/slog"
	"time"
)

// Defaults of the reference node's --storage-quota and --block-ttl. They are
// not applied to a zero Options on purpose: a TTL of 0 is a legal setting
// that makes blocks expire at once, as in the reference.
const (
	DefaultQuota = 20 << 30
	DefaultTTL   = 30 * 24 * time.Hour
)

// Options configure a Repo.
type Options struct {
	// Quota is the maximum number of block bytes, used plus reserved.
	Quota int64
	// TTL is added to the current time to get a stored block's expiry.
	TTL time.Duration
	// Now is the clock; nil means time.Now. Injected so expiry can be tested
	// without sleeping.
	Now func() time.Time
	// Logger receives problems that cannot be returned to a caller, such as a
	// block file that could not be removed after its metadata was deleted.
	// Nil discards them.
	Logger *slog.Logger
}
