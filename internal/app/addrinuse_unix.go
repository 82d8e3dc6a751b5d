//go:build !windows

package app

import "syscall"

func errAddrInUse() error { return syscall.EADDRINUSE }
