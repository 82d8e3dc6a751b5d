package scratch

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Metric prints one figure in the form every benchmark shares,
// "METRIC <name> <value> <unit>", which bench/run.sh collects from all of
// them into one table (bench/benchtable). Names are snake_case and stable:
// the table's rows refer to them.
func Metric(name string, value float64, unit string) {
	fmt.Printf("METRIC %s %s %s\n", name, strconv.FormatFloat(value, 'f', -1, 64), unit)
}

// userHZ is the unit of the CPU times in /proc/<pid>/stat. The kernel
// reports them in USER_HZ, which is 100 on every Linux architecture Go
// supports (it is fixed for the ABI, unlike the kernel's internal HZ).
const userHZ = 100

// CPUSeconds is the CPU time (user + system) pid has used so far, from
// /proc/<pid>/stat.
func CPUSeconds(pid int) (float64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, fmt.Errorf("reading the CPU time of %d: %w", pid, err)
	}
	// The command name (field 2) may hold spaces and parentheses: the
	// fields that follow start after its last ')'.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return 0, fmt.Errorf("/proc/%d/stat: no command name", pid)
	}
	f := strings.Fields(string(b[i+1:]))
	// After the name: state(3) ... utime(14) stime(15), so indexes 11, 12.
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: %d fields", pid, len(f))
	}
	utime, err1 := strconv.ParseUint(f[11], 10, 64)
	stime, err2 := strconv.ParseUint(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("/proc/%d/stat: utime %q stime %q", pid, f[11], f[12])
	}
	return float64(utime+stime) / userHZ, nil
}

// PeakRSSMiB is the kernel's high-water mark of pid's resident memory
// (VmHWM): exact, where sampling could miss a short peak.
func PeakRSSMiB(pid int) (float64, error) {
	return statusMiB(pid, "VmHWM:")
}

// RSSMiB is pid's resident memory now (VmRSS).
func RSSMiB(pid int) (float64, error) {
	return statusMiB(pid, "VmRSS:")
}

func statusMiB(pid int, field string) (float64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, fmt.Errorf("reading the memory of %d: %w", pid, err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), field); ok {
			kib, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			if err != nil {
				return 0, fmt.Errorf("/proc/%d/status %s %q: %w", pid, field, v, err)
			}
			return kib / 1024, nil
		}
	}
	return 0, fmt.Errorf("/proc/%d/status has no %s", pid, field)
}
