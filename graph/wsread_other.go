//go:build !(linux || darwin || freebsd)

package graph

import "syscall"

// canAwait: this platform cannot wait for a socket's bytes without reading
// them; the transport reads in place.
const canAwait = false

func awaitReadable(syscall.RawConn) {}
