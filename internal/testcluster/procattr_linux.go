package testcluster

import "syscall"

// dieWithParent makes a child process get SIGKILL when the test process
// that started it dies, so that no private API server outlives its test.
func dieWithParent() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
