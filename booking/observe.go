package booking

import "context"

// Change is one booking changed by one committed operation, as the webhook package needs it
// (webhook.Transition has the same fields): Before is the booking as it was (nil when the
// operation created it; for a reschedule the old booking), After as the operation left it
// (for a reschedule the new booking, or the booking the seat moved into). NoShow is the
// attendee list of a mark-absent request.
type Change struct {
	Action Action
	Before *Booking
	After  Booking
	NoShow []AbsentAttendee
}

// Observer is told of every committed change, after its transaction committed and before
// the Service method returns (so a client that waits for its answer sees its changes
// observed in the order it made them), with the webhook subscriptions the store held in
// that transaction. It is not called when the store holds no webhook: nobody would be told.
// It must not block: the mock's observer only enqueues webhook deliveries. Changes and
// webhooks are the observer's own copies.
type Observer func(changes []Change, webhooks []Webhook)

// SetObserver installs o (nil removes it). Call it before the Service is used: it is not
// synchronised with running operations.
func (s *Service) SetObserver(o Observer) { s.observer = o }

// update runs fn in a store Update and, when an observer is set and the transaction
// committed, reports what fn put. It records each Put with the booking it replaced, so no
// operation has to say what it changed: the observation cannot drift from the writes.
func (s *Service) update(ctx context.Context, action Action, noShow []AbsentAttendee, fn func(Tx) error) error {
	if s.observer == nil {
		return s.store.Update(ctx, fn)
	}
	var rec *recordingTx
	var hooks []Webhook
	err := s.store.Update(ctx, func(tx Tx) error {
		rec = nil // afresh, should a store ever run fn twice
		// The subscriptions at the time of the change, read in its transaction. Without
		// any, nothing is recorded: the bookings are not copied for nobody.
		if hooks = tx.Webhooks(); len(hooks) == 0 {
			return fn(tx)
		}
		rec = &recordingTx{Tx: tx}
		return fn(rec)
	})
	if err != nil || rec == nil || len(rec.puts) == 0 {
		return err
	}
	s.observer(rec.changes(action, noShow), hooks)
	return nil
}

// recordingTx is a Tx that remembers what was put, and what each put replaced.
type recordingTx struct {
	Tx
	puts []Change
}

func (r *recordingTx) Put(b Booking) {
	for i := range r.puts {
		if r.puts[i].After.UID == b.UID {
			r.puts[i].After = b.Clone() // put twice: keep what it was before the first
			r.Tx.Put(b)
			return
		}
	}
	c := Change{After: b.Clone()}
	if old, ok := r.Tx.Get(b.UID); ok { // an Update's Get is already a deep copy
		c.Before = &old
	}
	r.puts = append(r.puts, c)
	r.Tx.Put(b)
}

// changes turns the puts into the Changes of action. A reschedule puts the old booking
// first and then the new one (or the booking its seat moved into): one Change from the old
// booking as it was to the new one.
func (r *recordingTx) changes(action Action, noShow []AbsentAttendee) []Change {
	out := r.puts
	if action == ActionReschedule && len(out) == 2 {
		out = []Change{{Before: out[0].Before, After: out[1].After}}
	}
	for i := range out {
		out[i].Action = action
		if len(noShow) > 0 {
			out[i].NoShow = append([]AbsentAttendee(nil), noShow...)
		}
	}
	return out
}
