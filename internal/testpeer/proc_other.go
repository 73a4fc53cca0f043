//go:build !linux

package testpeer

import "syscall"

func sysProcAttr() *syscall.SysProcAttr { return nil }
