//go:build windows

package supervisor

import (
	"io/fs"
	"os/exec"
	"syscall"

	"golang.org/x/sys/windows"
)

// WSAEADDRINUSE
var errAddrInUse error = syscall.Errno(10048)

// setProcAttrs gives the node its own process group, so a Ctrl-Break can
// be aimed at it alone, and no console window of its own: the app may be a
// GUI program without a console, and a window flashing up is not wanted.
func setProcAttrs(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{
		CreationFlags: windows.CREATE_NEW_PROCESS_GROUP | windows.CREATE_NO_WINDOW,
	}
}

// terminate asks for a clean exit with Ctrl-Break, which Go programs see as
// os.Interrupt. It reaches the node only when both share a console; when it
// does not, the stop timeout ends in kill, and the node's repo is crash-safe.
func terminate(c *child) error {
	if c.reaped.Load() {
		return nil
	}
	return terminatePID(c.pid)
}

func kill(c *child) error {
	if c.reaped.Load() {
		return nil
	}
	return c.cmd.Process.Kill()
}

func terminatePID(pid int) error {
	return windows.GenerateConsoleCtrlEvent(windows.CTRL_BREAK_EVENT, uint32(pid))
}

func killPID(pid int) error {
	h, err := windows.OpenProcess(windows.PROCESS_TERMINATE, false, uint32(pid))
	if err != nil {
		return err
	}
	defer windows.CloseHandle(h)
	return windows.TerminateProcess(h, 1)
}

// Windows has no executable bit; CreateProcess decides.
func isExecutable(fs.FileInfo) bool { return true }
