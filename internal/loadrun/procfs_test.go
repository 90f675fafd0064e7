package loadrun

import "testing"

func TestParseSteal(t *testing.T) {
	t0, ok := parseSteal("cpu  100 0 50 800 10 0 5 35 0 0\ncpu0 50 0 25 400 5 0 2 18 0 0\n")
	if !ok || t0 != (cpuTimes{steal: 35, total: 1000}) {
		t.Fatalf("parseSteal = %+v, %v", t0, ok)
	}
	t1, _ := parseSteal("cpu  150 0 60 1530 10 0 5 45 7 0\n") // guest time is not added again
	if got := t1.since(t0); got != 1.25 {
		t.Errorf("since = %v%%, want 1.25%% (10 of 800 ticks)", got)
	}
	if got := t0.since(t1); got != 0 {
		t.Errorf("since backwards = %v, want 0", got)
	}
	for _, bad := range []string{"", "cpu 1 2 3", "intr 1 2 3 4 5 6 7 8 9", "cpu 1 2 3 4 5 6 7 x"} {
		if _, ok := parseSteal(bad); ok {
			t.Errorf("parseSteal(%q) accepted", bad)
		}
	}
}

// statusSample is the shape of /proc/<pid>/status on Linux: tab after the colon, padded kB.
const statusSample = "Name:\tcalmock\nVmPeak:\t 1265432 kB\nVmHWM:\t   99000 kB\nVmRSS:\t   51712 kB\nRssAnon:\t   40000 kB\nThreads:\t8\n"

func TestParseVmRSS(t *testing.T) {
	for _, tc := range []struct {
		name, status string
		want         float64
	}{
		{"Linux", statusSample, 50.5}, // 51712 kB, not VmPeak nor VmHWM
		{"NoVmRSS", "Name:\tzombie\nState:\tZ (zombie)\n", 0},
		{"Empty", "", 0},
		{"Garbled", "VmRSS:\tlots kB\n", 0},
	} {
		if got := parseVmRSS(tc.status); got != tc.want {
			t.Errorf("%s: parseVmRSS = %v MB, want %v", tc.name, got, tc.want)
		}
	}
}

// cpuinfoSample is two processors of an x86 /proc/cpuinfo, abridged.
const cpuinfoSample = `processor	: 0
vendor_id	: GenuineIntel
model name	: Intel(R) Xeon(R) CPU @ 2.20GHz
cpu MHz		: 2200.000

processor	: 1
vendor_id	: GenuineIntel
model name	: Intel(R) Xeon(R) Other @ 9.99GHz
cpu MHz		: 2200.000
`

func TestDescribeCPUs(t *testing.T) {
	for _, tc := range []struct {
		name, cpuinfo string
		fallback      int
		want          string
	}{
		// Every processor counts, whatever the CPUs this process may run on (fallback).
		{"X86", cpuinfoSample, 1, "Intel(R) Xeon(R) CPU @ 2.20GHz, 2 CPUs"},
		// arm64 names no model: the processors still count.
		{"NoModel", "processor\t: 0\nBogoMIPS\t: 50.00\n\nprocessor\t: 1\nBogoMIPS\t: 50.00\n", 1, "unknown CPU, 2 CPUs"},
		{"Unreadable", "", 4, "unknown CPU, 4 CPUs"},
	} {
		if got := describeCPUs(tc.cpuinfo, tc.fallback); got != tc.want {
			t.Errorf("%s: describeCPUs = %q, want %q", tc.name, got, tc.want)
		}
	}
}
