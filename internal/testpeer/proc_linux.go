package testpeer

import "syscall"

// sysProcAttr kills a peer when the test binary's thread that started it dies,
// so that a crashed or killed test leaves no peer running.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
