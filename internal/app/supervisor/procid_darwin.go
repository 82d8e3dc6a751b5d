package supervisor

import (
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

const darwinSZOMB = 5 // p_stat of a zombie (sys/proc.h)

func kinfo(pid int) (*unix.KinfoProc, error) {
	kp, err := unix.SysctlKinfoProc("kern.proc.pid", pid)
	if err != nil || kp.Proc.P_pid != int32(pid) {
		return nil, os.ErrNotExist
	}
	return kp, nil
}

// processStart returns the process's start time to the microsecond.
func processStart(pid int) (string, bool, error) {
	kp, err := kinfo(pid)
	if err != nil {
		return "", false, err
	}
	tv := kp.Proc.P_starttime
	return fmt.Sprintf("%d.%06d", tv.Sec, tv.Usec), kp.Proc.P_stat == darwinSZOMB, nil
}

// cmdlineMatches compares the process name (the executable's base name,
// cut to MAXCOMLEN) with the binary we started: macOS does not give the
// full command line without parsing kern.procargs2, and the start time to
// the microsecond already pins the process down.
func cmdlineMatches(pid int, argv []string) bool {
	kp, err := kinfo(pid)
	if err != nil {
		return false
	}
	name := unix.ByteSliceToString(kp.Proc.P_comm[:])
	base := filepath.Base(argv[0])
	if len(base) > 16 {
		base = base[:16]
	}
	return name != "" && name == base
}
