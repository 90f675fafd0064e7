package differential

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
)

// Shrunk is a sequence shrunk to the fewest ops that still show a difference.
type Shrunk struct {
	// Result is the play of the shrunk ops; its last step shows the difference.
	Result SequenceResult
	// Difference is the shrunk play's difference with the original's operation and field.
	Difference Difference
	// From is how many ops the original play had up to its difference; Plays how many
	// replays the shrink made.
	From, Plays int
}

// Ops are the shrunk sequence's ops.
func (s Shrunk) Ops() []Op { return s.Result.ops }

var refRe = regexp.MustCompile(`\{\{ref:(\d+):`)

// refs returns the IDs of the ops whose answers op quotes ({{ref:ID:…}}).
func refs(op Op) []int {
	var out []int
	var walk func(v any)
	walk = func(v any) {
		switch t := v.(type) {
		case string:
			for _, m := range refRe.FindAllStringSubmatch(t, -1) {
				n, _ := strconv.Atoi(m[1])
				if !slices.Contains(out, n) {
					out = append(out, n)
				}
			}
		case map[string]any:
			for _, x := range t {
				walk(x)
			}
		case []any:
			for _, x := range t {
				walk(x)
			}
		}
	}
	walk(op.Path)
	for _, kv := range op.Query {
		walk(kv[1])
	}
	walk(op.Body)
	return out
}

// sameDifference reports whether d is the difference being shrunk: the same operation and
// field (array indices aside, as a shorter list moves an element).
func sameDifference(d, want Difference) bool {
	return d.Op == want.Op && where(d.Path) == where(want.Path)
}

// Shrink minimises the play res, whose last step has a difference, by delta debugging:
// it drops chunks of ops (halves, then quarters, … then single ops) while a replay still
// shows the same difference (operation and field), until no single op can go. An op goes
// with every op that quotes its answer (a cancel of the booking a create made goes with
// the create), so a shrunk sequence never names a booking it did not make; the op with the
// difference stays. Then it simplifies bodies: an optional field of a request (a reason,
// metadata) is dropped when the difference stays without it. Each replay runs on fresh
// sides (Play's contract).
func (r *Runner) Shrink(ctx context.Context, res SequenceResult) (Shrunk, error) {
	if len(res.Differences) == 0 {
		return Shrunk{}, fmt.Errorf("differential: nothing to shrink: sequence %d has no difference", res.Sequence.Index)
	}
	want := res.Differences[0]
	ops := slices.Clone(res.ops[:want.Step+1])
	out := Shrunk{Result: res, Difference: want, From: len(ops)}
	budget := r.opts.MaxShrinkPlays
	// try replays cand; it keeps cand when the difference shows, cut after its step.
	try := func(cand []Op) (bool, error) {
		if out.Plays >= budget {
			return false, nil
		}
		out.Plays++
		block := res.block
		if !r.sandboxed {
			block = r.nextBlock
			r.nextBlock++
		}
		got, err := r.play(ctx, res.Sequence, cand, block, true)
		if err != nil {
			return false, err
		}
		for _, d := range got.Differences {
			if sameDifference(d, want) {
				got.ops = got.ops[:d.Step+1]
				d.Sequence = res.Sequence.Index
				out.Result, out.Difference, ops = got, d, got.ops
				return true, nil
			}
		}
		return false, nil
	}
	for chunk := max(1, (len(ops)-1)/2); out.Plays < budget; {
		removed := false
		// From the end: later ops quote earlier ones, never the other way. Dropping ops
		// at or after start leaves the ones before it where they were.
		for end := len(ops) - 1; end > 0; {
			start := max(0, end-chunk)
			if cand, ok := without(ops, start, end); ok {
				kept, err := try(cand)
				if err != nil {
					return out, err
				}
				removed = removed || kept
			}
			end = min(start, len(ops)-1)
		}
		if !removed {
			if chunk == 1 {
				break
			}
			chunk /= 2
		}
	}
	// Simplify bodies: drop the optional fields one at a time.
	for i := range ops {
		body, ok := ops[i].Body.(map[string]any)
		if !ok {
			continue
		}
		for _, k := range optionalFields {
			if _, has := body[k]; !has {
				continue
			}
			cand := slices.Clone(ops)
			nb := make(map[string]any, len(body))
			for bk, v := range body {
				if bk != k {
					nb[bk] = v
				}
			}
			cand[i].Body = nb
			kept, err := try(cand)
			if err != nil {
				return out, err
			}
			if kept {
				body = nb
			}
		}
	}
	return out, nil
}

// optionalFields are the request body fields the shrink tries to drop: none changes which
// booking a request names.
var optionalFields = []string{"reschedulingReason", "metadata", "lengthInMinutes", "recurrenceCount", "reason", "attendees"}

// without returns ops with ops[start:end] dropped, and every op after them that quotes an
// answer of a dropped op (transitively). It fails when that would drop the last op (the
// one with the difference) or nothing.
func without(ops []Op, start, end int) ([]Op, bool) {
	if start >= end || end > len(ops)-1 {
		return nil, false
	}
	dropped := map[int]bool{}
	for _, op := range ops[start:end] {
		dropped[op.ID] = true
	}
	out := slices.Clone(ops[:start])
	for _, op := range ops[end:] {
		gone := false
		for _, id := range refs(op) {
			if dropped[id] {
				gone = true
				break
			}
		}
		if gone {
			dropped[op.ID] = true
			continue
		}
		out = append(out, op)
	}
	if dropped[ops[len(ops)-1].ID] {
		return nil, false
	}
	return out, true
}
