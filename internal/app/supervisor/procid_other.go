//go:build !linux && !darwin && !windows

package supervisor

import "errors"

// On other systems the supervisor cannot tell its orphan from a stranger
// with a reused PID, so it never stops one (see isOurs).
func processStart(int) (string, bool, error) { return "", false, errors.ErrUnsupported }

func cmdlineMatches(int, []string) bool { return false }
