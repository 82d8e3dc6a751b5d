package supervisor

import "syscall"

// parentDeathSignal asks the kernel to send the node SIGTERM when the app
// dies, even by SIGKILL or a crash: the node then shuts down cleanly
// instead of lingering as an orphan on the app's ports until the next
// start finds it (recoverOrphan stays for the other systems and for a
// node that ignores the signal). The kernel sends it when the forking
// *thread* exits; Go only ends threads that a goroutine locked and never
// unlocked, and the supervisor never starts the node from such a thread.
func parentDeathSignal(a *syscall.SysProcAttr) { a.Pdeathsig = syscall.SIGTERM }
