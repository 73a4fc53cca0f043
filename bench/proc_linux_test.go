package bench

import "syscall"

// sysProcAttr makes the kernel kill a started emulator if the test binary
// dies first.
func sysProcAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} }
