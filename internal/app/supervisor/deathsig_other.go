//go:build unix && !linux

package supervisor

import "syscall"

// Only Linux can tie a child's life to its parent's; elsewhere an orphan
// is found and stopped by recoverOrphan at the next start.
func parentDeathSignal(*syscall.SysProcAttr) {}
