//go:build linux && (amd64 || arm64)

package loadgen

import (
	"context"
	"os"
	"syscall"
	"time"
	"unsafe"
)

// fdSleeper waits on a Linux timerfd read through the Go poller. Go's own timers wake an
// idle runtime late by up to a millisecond (its poller sleeps in whole milliseconds), which
// would count as latency in an open-loop run; a timerfd makes the poller wake when the
// kernel timer fires (within the default 50 µs timer slack), without holding a thread.
type fdSleeper struct {
	f *os.File
}

// newSleeper returns a timerfd sleeper, or Go timers if the kernel refuses one.
func newSleeper() sleeper {
	const clockMonotonic = 1
	fd, _, errno := syscall.Syscall(syscall.SYS_TIMERFD_CREATE, clockMonotonic, syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
	if errno != 0 {
		return timerSleeper{}
	}
	// Non-blocking, so os.NewFile registers it with the poller: a read parks the goroutine.
	return &fdSleeper{f: os.NewFile(fd, "timerfd")}
}

// sleep arms the timer for d and reads its expiry count, or returns ctx's error.
func (s *fdSleeper) sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	spec := struct{ interval, value syscall.Timespec }{value: syscall.NsecToTimespec(int64(d))}
	rc, err := s.f.SyscallConn()
	if err != nil {
		return err
	}
	var errno syscall.Errno
	if err := rc.Control(func(fd uintptr) {
		_, _, errno = syscall.Syscall6(syscall.SYS_TIMERFD_SETTIME, fd, 0, uintptr(unsafe.Pointer(&spec)), 0, 0, 0)
	}); err != nil {
		return err
	}
	if errno != 0 {
		return errno
	}
	// A cancelled ctx unblocks the read through a past deadline.
	stop := context.AfterFunc(ctx, func() { _ = s.f.SetReadDeadline(time.Unix(1, 0)) })
	defer stop()
	var buf [8]byte // the expiry count
	if _, err := s.f.Read(buf[:]); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return err
	}
	return ctx.Err()
}

func (s *fdSleeper) close() { _ = s.f.Close() }
