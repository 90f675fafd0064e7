package boltstore_test

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/calmock/calmock/booking"
	"github.com/calmock/calmock/booking/boltstore"
	"github.com/calmock/calmock/booking/storetest"
)

// The crash test re-executes this test binary as a child running TestHelperProcess, which
// writes bookings as fast as it can and prints "committed <uid> <id>" after each Update
// returns. The parent SIGKILLs it mid-burst, reopens the file and checks that every printed
// uid is there and the file is sound. Several rounds run on the same file, so later
// rounds also start from a file that was killed mid-write.

const helperEnv = "BOLTSTORE_CRASH_HELPER_DB"

func TestHelperProcess(t *testing.T) {
	path := os.Getenv(helperEnv)
	if path == "" {
		t.Skip("helper process for TestCrashSafety")
	}
	s, err := boltstore.Open(path, boltstore.WithLockTimeout(5*time.Second))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	round := os.Getenv("BOLTSTORE_CRASH_ROUND")
	for i := 0; ; i++ {
		var b booking.Booking
		err := s.Update(ctx, func(tx booking.Tx) error {
			b = storetest.Sample(tx.NextID(), fmt.Sprintf("r%s-%06d", round, i))
			b.HostID = i % 5
			b.Attendees[0].Email = fmt.Sprintf("user%d@example.com", i%7)
			// Grow the file now and then so commits also remap and extend it.
			b.Metadata["pad"] = strings.Repeat("x", (i%10)*500)
			tx.Put(b)
			// Replace an earlier booking too, so commits also rewrite indexes.
			if old, ok := tx.Get(fmt.Sprintf("r%s-%06d", round, i/2)); ok && i > 0 {
				old.HostID++
				old.Start = old.Start.Add(time.Hour)
				tx.Put(old)
			}
			return nil
		})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
		// os.Stdout is unbuffered: the line is in the pipe when Println returns.
		fmt.Printf("committed %s %d\n", b.UID, b.ID)
	}
}

func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	path := filepath.Join(t.TempDir(), "calmock.db")
	committed := map[string]int{}
	for round := range 3 {
		printed := crashRound(t, path, round)
		for uid, id := range printed {
			committed[uid] = id
		}

		s, err := boltstore.Open(path, boltstore.WithLockTimeout(5*time.Second))
		if err != nil {
			t.Fatalf("round %d: reopen after SIGKILL: %v", round, err)
		}
		if err := s.Check(); err != nil {
			t.Errorf("round %d: %v", round, err)
		}
		maxID := 0
		_ = s.View(ctx, func(tx booking.Tx) error {
			for uid, id := range committed {
				b, ok := tx.Get(uid)
				if !ok || b.ID != id {
					t.Errorf("round %d: %s (id %d) acknowledged but missing after SIGKILL", round, uid, id)
				}
				maxID = max(maxID, id)
			}
			if tx.Len() < len(committed) {
				t.Errorf("round %d: len %d < %d acknowledged", round, tx.Len(), len(committed))
			}
			return nil
		})
		if id := storetest.NextID(t, s); id <= maxID {
			t.Errorf("round %d: next id %d reuses acknowledged id %d", round, id, maxID)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		t.Logf("round %d: %d acknowledged before the kill, all present", round, len(printed))
	}
}

// crashRound runs the helper until it has acknowledged a few dozen writes, SIGKILLs it and
// returns every uid (→ id) it acknowledged, including lines still in the pipe.
func crashRound(t *testing.T, path string, round int) map[string]int {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), helperEnv+"="+path, fmt.Sprintf("BOLTSTORE_CRASH_ROUND=%d", round))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Whatever happens, the child does not outlive the test.
	watchdog := time.AfterFunc(20*time.Second, func() { cmd.Process.Kill() })
	defer watchdog.Stop()

	printed := map[string]int{}
	sc := bufio.NewScanner(out)
	killAfter := 30 + 17*round // vary the moment of the kill
	killed := false
	for sc.Scan() {
		var uid string
		var id int
		if _, err := fmt.Sscanf(sc.Text(), "committed %s %d", &uid, &id); err != nil {
			continue // test framework output
		}
		printed[uid] = id
		if !killed && len(printed) >= killAfter {
			// SIGKILL: no deferred functions, no Close, possibly in the middle of a commit.
			if err := cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			killed = true
		}
	}
	err = cmd.Wait()
	if !killed {
		t.Fatalf("round %d: helper exited before the kill (%v): %s", round, err, stderr.String())
	}
	if len(printed) < killAfter {
		t.Fatalf("round %d: %d lines", round, len(printed))
	}
	return printed
}
