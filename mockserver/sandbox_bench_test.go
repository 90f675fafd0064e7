package mockserver

import (
	"runtime"
	"syscall"
	"testing"
	"time"
)

// cpuTime is the CPU time the process has used (user and system), which a benchmark on a
// shared machine reports beside the wall time: creating a sandbox must take well under a
// millisecond of CPU, whatever else the machine runs.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkSandboxCreate is the cost of one sandbox of the default fixtures, made through
// the registry as POST /_calmock/sandboxes makes it (the body's decoding aside). The first
// sandbox of a seed and day generates the fixtures and compiles the shared router; the
// benchmark measures the ones after it. cpu-ns/op is CPU time, garbage collection included.
func BenchmarkSandboxCreate(b *testing.B) {
	parent, err := New(Config{Seed: 1, RateLimit: 120})
	if err != nil {
		b.Fatal(err)
	}
	reg, err := NewSandboxes(parent, SandboxLimits{Max: 1 << 30})
	if err != nil {
		b.Fatal(err)
	}
	if _, _, err := reg.Create(SandboxOptions{}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	start := cpuTime(b)
	for b.Loop() {
		d, _, err := reg.Create(SandboxOptions{})
		if err != nil {
			b.Fatal(err)
		}
		reg.Delete(d.ID)
	}
	b.ReportMetric(float64(cpuTime(b)-start)/float64(b.N), "cpu-ns/op")
}

// BenchmarkSandboxMemory is the heap that 1000 live sandboxes of the default fixtures hold,
// per sandbox (bytes/sandbox): what -max-sandboxes multiplies.
func BenchmarkSandboxMemory(b *testing.B) {
	const n = 1000
	parent, err := New(Config{Seed: 1, RateLimit: 120})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		reg, err := NewSandboxes(parent, SandboxLimits{Max: n})
		if err != nil {
			b.Fatal(err)
		}
		if _, _, err := reg.Create(SandboxOptions{}); err != nil { // the shared parts
			b.Fatal(err)
		}
		before := heapInUse()
		for range n - 1 {
			if _, _, err := reg.Create(SandboxOptions{}); err != nil {
				b.Fatal(err)
			}
		}
		after := heapInUse()
		b.ReportMetric(float64(after-before)/float64(n-1), "bytes/sandbox")
		runtime.KeepAlive(reg)
	}
}

// heapInUse is the live heap after a full collection.
func heapInUse() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}
