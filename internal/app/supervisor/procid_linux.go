package supervisor

import (
	"bytes"
	"errors"
	"os"
	"slices"
	"strconv"
	"strings"
)

// processStart returns field 22 of /proc/PID/stat, the process's start in
// clock ticks since boot: fixed for the life of a process, and different
// for a later process that gets the same PID. zombie reports a process
// that has exited but not been reaped yet (its parent still has to wait).
func processStart(pid int) (start string, zombie bool, err error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return "", false, err
	}
	// The command name (field 2) is in parentheses and may itself contain
	// spaces and parentheses: count fields after the last ')'.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return "", false, errors.New("unexpected /proc stat format")
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 20 {
		return "", false, errors.New("unexpected /proc stat format")
	}
	return f[19], f[0] == "Z", nil // f[0] is field 3 (state), f[19] field 22
}

// cmdlineMatches compares /proc/PID/cmdline with the argv we started.
func cmdlineMatches(pid int, argv []string) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	if err != nil || len(b) == 0 {
		return false
	}
	return slices.Equal(strings.Split(strings.TrimSuffix(string(b), "\x00"), "\x00"), argv)
}
