//go:build !linux

package testcluster

import "syscall"

// dieWithParent is Linux's alone; elsewhere a test's cleanup stops the
// child.
func dieWithParent() *syscall.SysProcAttr { return nil }
