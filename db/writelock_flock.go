//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package db

import (
	"errors"
	"os"
	"syscall"
)

// canFlock says flock(2) is available here.
const canFlock = true

// errWouldBlock is flock's answer when the lock is held and it may not wait.
var errWouldBlock = syscall.EWOULDBLOCK

// flock takes f's exclusive lock, waiting for it when wait is set.
func flock(f *os.File, wait bool) error {
	how := syscall.LOCK_EX
	if !wait {
		how |= syscall.LOCK_NB
	}
	for {
		err := syscall.Flock(int(f.Fd()), how)
		if !errors.Is(err, syscall.EINTR) {
			return err
		}
	}
}

// funlock releases f's lock.
func funlock(f *os.File) error { return syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }
