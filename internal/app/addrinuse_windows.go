//go:build windows

package app

import "syscall"

// WSAEADDRINUSE
func errAddrInUse() error { return syscall.Errno(10048) }
