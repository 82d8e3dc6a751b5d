//go:build unix

package supervisor

import (
	"io/fs"
	"os/exec"
	"syscall"
)

var errAddrInUse error = syscall.EADDRINUSE

// setProcAttrs puts the node in its own process group: a stop reaches
// anything the node started, and the terminal's Ctrl-C, meant for the app,
// does not hit the node before the app stops it in order. Where the system
// allows, the node is also told to stop when the app dies.
func setProcAttrs(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	parentDeathSignal(cmd.SysProcAttr)
}

func terminate(c *child) error { return signalChild(c, syscall.SIGTERM) }
func kill(c *child) error      { return signalChild(c, syscall.SIGKILL) }

func signalChild(c *child, sig syscall.Signal) error {
	// The group is signalled only while the leader is unreaped, so its
	// number cannot yet belong to anyone else.
	if c.reaped.Load() {
		return nil
	}
	return signalGroup(c.pid, sig)
}

// signalGroup signals the process group pid leads (the node and its
// children), or pid alone when it leads none — as for a node someone
// started by hand: its group is their shell's.
func signalGroup(pid int, sig syscall.Signal) error {
	if pgid, err := syscall.Getpgid(pid); err == nil && pgid == pid {
		return syscall.Kill(-pid, sig)
	}
	return syscall.Kill(pid, sig)
}

func terminatePID(pid int) error { return signalGroup(pid, syscall.SIGTERM) }
func killPID(pid int) error      { return signalGroup(pid, syscall.SIGKILL) }

func isExecutable(fi fs.FileInfo) bool { return fi.Mode().Perm()&0o111 != 0 }
