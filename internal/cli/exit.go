package cli

import (
	"errors"
	"fmt"
)

// Exit codes of the CLI verbs (see the package doc).
const (
	ExitOK             = 0
	ExitFailed         = 1
	ExitUsage          = 2
	ExitNotRunning     = 3
	ExitNodeNotRunning = 4
	ExitNotFound       = 5
)

// ExitCodesHelp is the exit-code table for command help texts.
const ExitCodesHelp = `Exit codes:
  0  ok
  1  the operation failed (the error is printed to stderr)
  2  usage error (bad flags or arguments, an invalid CID)
  3  Archivist is not running, or unreachable
  4  the node is not running
  5  not found`

// UsageError is a mistake in the command line, found before anything is
// sent.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// Usagef returns a *UsageError.
func Usagef(format string, args ...any) error {
	return &UsageError{Err: fmt.Errorf(format, args...)}
}

// ExitCode maps an error to the exit code it means.
func ExitCode(err error) int {
	var usage *UsageError
	var notRunning *NotRunningError
	var api *APIError
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &usage):
		return ExitUsage
	case errors.As(err, &notRunning):
		return ExitNotRunning
	case errors.As(err, &api) && api.NodeNotRunning():
		return ExitNodeNotRunning
	case errors.As(err, &api) && api.NotFound():
		return ExitNotFound
	}
	return ExitFailed
}
