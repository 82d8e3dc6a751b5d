package supervisor

import (
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/windows"
)

const stillActive = 259 // GetExitCodeProcess of a running process

// processStart returns the process's creation time (100 ns units).
// A process that exited but whose handle someone holds counts as a zombie.
func processStart(pid int) (string, bool, error) {
	h, err := windows.OpenProcess(windows.PROCESS_QUERY_LIMITED_INFORMATION, false, uint32(pid))
	if err != nil {
		return "", false, err
	}
	defer windows.CloseHandle(h)
	var created, exited, kernel, user windows.Filetime
	if err := windows.GetProcessTimes(h, &created, &exited, &kernel, &user); err != nil {
		return "", false, err
	}
	var code uint32
	gone := windows.GetExitCodeProcess(h, &code) == nil && code != stillActive
	return strconv.FormatInt(created.Nanoseconds(), 10), gone, nil
}

// cmdlineMatches compares the process's image path with the binary we
// started.
func cmdlineMatches(pid int, argv []string) bool {
	h, err := windows.OpenProcess(windows.PROCESS_QUERY_LIMITED_INFORMATION, false, uint32(pid))
	if err != nil {
		return false
	}
	defer windows.CloseHandle(h)
	buf := make([]uint16, windows.MAX_LONG_PATH)
	n := uint32(len(buf))
	if err := windows.QueryFullProcessImageName(h, 0, &buf[0], &n); err != nil {
		return false
	}
	want, err := filepath.Abs(argv[0])
	if err != nil {
		return false
	}
	got := windows.UTF16ToString(buf[:n])
	return strings.EqualFold(filepath.Clean(got), filepath.Clean(want)) ||
		strings.EqualFold(filepath.Clean(got), filepath.Clean(want)+".exe")
}
