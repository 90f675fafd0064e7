package loadrun

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
)

// Readings of /proc, each split into a read and a parse of its text, so that the parse can be
// tested on sample text.

// vmRSSMB reads VmRSS of process pid from /proc/<pid>/status, in MB (0 if unreadable).
func vmRSSMB(pid int) float64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	return parseVmRSS(string(data))
}

// parseVmRSS returns the VmRSS line of a /proc/<pid>/status text in MB (0 if absent).
func parseVmRSS(status string) float64 {
	for line := range strings.SplitSeq(status, "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			return float64(kb) / 1024
		}
	}
	return 0
}

// cpuTimes are the machine's steal and total CPU time from /proc/stat, in clock ticks.
type cpuTimes struct{ steal, total uint64 }

// since is the share of CPU time (%) stolen between t0 and t.
func (t cpuTimes) since(t0 cpuTimes) float64 {
	if t.total <= t0.total {
		return 0
	}
	return 100 * float64(t.steal-t0.steal) / float64(t.total-t0.total)
}

// readSteal reads the first line of /proc/stat. Steal is the time a virtual machine's CPUs
// were ready but the hypervisor ran something else: a few percent of it, in pauses of
// milliseconds, is enough to put every server's p99 above 2 ms however little it does.
func readSteal() (cpuTimes, bool) {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return cpuTimes{}, false
	}
	return parseSteal(string(data))
}

func parseSteal(stat string) (cpuTimes, bool) {
	line, _, _ := strings.Cut(stat, "\n")
	f := strings.Fields(line)
	// cpu user nice system idle iowait irq softirq steal [guest guest_nice]; guest time is
	// already counted in user.
	if len(f) < 9 || f[0] != "cpu" {
		return cpuTimes{}, false
	}
	var t cpuTimes
	for i, v := range f[1:9] {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return cpuTimes{}, false
		}
		t.total += n
		if i == 7 {
			t.steal = n
		}
	}
	return t, true
}

// machineCPUs names the machine's CPU model and counts its CPUs, from one read of
// /proc/cpuinfo: runtime.NumCPU counts only the CPUs this process may run on, one when
// make bench pins the generator.
func machineCPUs() string {
	data, _ := os.ReadFile("/proc/cpuinfo") // unreadable: an unknown model and runtime.NumCPU
	return describeCPUs(string(data), runtime.NumCPU())
}

// describeCPUs names the CPU model of a /proc/cpuinfo text and counts its processors;
// without any, it counts fallback CPUs.
func describeCPUs(cpuinfo string, fallback int) string {
	model, n := "unknown CPU", 0
	for line := range strings.SplitSeq(cpuinfo, "\n") {
		if rest, ok := strings.CutPrefix(line, "model name"); ok && n == 1 {
			model = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(rest), ":"))
		}
		if strings.HasPrefix(line, "processor") {
			n++
		}
	}
	if n == 0 {
		n = fallback
	}
	return fmt.Sprintf("%s, %d CPUs", model, n)
}
