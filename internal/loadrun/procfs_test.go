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
