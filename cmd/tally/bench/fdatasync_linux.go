package bench

import (
	"os"
	"syscall"
)

// fdatasync flushes f's data (not its metadata) to stable storage.
func fdatasync(f *os.File) error { return syscall.Fdatasync(int(f.Fd())) }
