//go:build !(linux && (amd64 || arm64))

package loadgen

// newSleeper returns Go timers (a timerfd is Linux-only; see sleep_linux.go).
func newSleeper() sleeper { return timerSleeper{} }
