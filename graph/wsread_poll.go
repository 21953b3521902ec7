//go:build linux || darwin || freebsd

package graph

import "syscall"

// canAwait: this platform can wait for a socket's bytes without reading.
const canAwait = true

// awaitReadable waits until the socket has bytes to read, has reached its
// end or failed: it peeks, so that the bytes stay for the reader.
func awaitReadable(raw syscall.RawConn) {
	var b [1]byte
	_ = raw.Read(func(fd uintptr) bool {
		_, _, err := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK)
		return err != syscall.EAGAIN
	})
}
