package update

import "errors"

// Errors a caller can tell apart (the API maps them to statuses); each
// wraps the detailed error, whose message is the one shown.
var (
	ErrNoUpdate   = errors.New("no newer version is available")
	ErrInvalidReq = errors.New("invalid request")
	// ErrUnreachable: the release host could not be reached or answered
	// with an error status; trying again later may work.
	ErrUnreachable = errors.New("the release host is unreachable")
	// ErrRefused: the release host sent something the updater will not
	// use (a malformed feed, a truncated, oversized or altered download).
	ErrRefused = errors.New("refused what the release host sent")
)

// kindError gives an error a kind for errors.Is while keeping its message.
type kindError struct {
	kind, err error
}

func (e *kindError) Error() string        { return e.err.Error() }
func (e *kindError) Unwrap() error        { return e.err }
func (e *kindError) Is(target error) bool { return target == e.kind }

func unreachable(err error) error { return &kindError{kind: ErrUnreachable, err: err} }
func refused(err error) error     { return &kindError{kind: ErrRefused, err: err} }
