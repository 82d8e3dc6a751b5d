//go:build !linux && !darwin && !freebsd && !windows

package paths

import "errors"

func DiskFree(string) (uint64, error) { return 0, errors.ErrUnsupported }
