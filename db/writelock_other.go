//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package db

import (
	"errors"
	"os"
)

// canFlock says flock(2) is not available here: writers of one process
// still queue in Go, and other processes on the same database wait in
// SQLite's busy handler.
const canFlock = false

var errWouldBlock = errors.New("would block")

func flock(*os.File, bool) error { return errors.ErrUnsupported }

func funlock(*os.File) error { return nil }
