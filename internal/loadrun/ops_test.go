package loadrun

import "testing"

// Every operation, sent through an in-process mock with its own fixtures, gets the status it
// expects (inProcessAllocs fails otherwise): the requests the load run sends are ones the mock
// accepts, so a run measures answers, not errors.
func TestOperationsAgainstTheMock(t *testing.T) {
	for _, op := range Operations() {
		allocs, err := inProcessAllocs(op, 1)
		if err != nil {
			t.Errorf("%s: %v", op, err)
			continue
		}
		if allocs <= 0 {
			t.Errorf("%s: %v allocations per request; the mock answered without allocating?", op, allocs)
		}
	}
}
