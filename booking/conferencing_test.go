package booking_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/calmock/calmock/booking"
)

// update rewrites booking uid in the store, as a fixture would have it.
func (e *env) update(tb testing.TB, uid string, change func(*booking.Booking)) {
	tb.Helper()
	err := e.store.Update(ctx, func(tx booking.Tx) error {
		b, _ := tx.Get(uid)
		change(&b)
		tx.Put(b)
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
}

func TestService_ConferencingSessions(t *testing.T) {
	e := mustEnv(t)
	start := t0.Add(time.Hour)
	b := e.mustCreate(t, etPlain, start, guest("Gina", "gina@example.com")).Bookings[0]
	uid := b.UID

	t.Run("FutureHasNone", func(t *testing.T) {
		got, err := e.svc.ConferencingSessions(ctx, alice, uid)
		if err != nil || got == nil || len(got) != 0 {
			t.Fatalf("got %+v, %v; want an empty, non-nil list", got, err)
		}
	})
	t.Run("OngoingThenPast", func(t *testing.T) {
		e.setNow(start.Add(10 * time.Minute))
		got, err := e.svc.ConferencingSessions(ctx, alice, uid)
		if err != nil || len(got) != 1 {
			t.Fatalf("ongoing: %+v, %v", got, err)
		}
		if s := got[0]; !s.Ongoing || s.Duration != 600 || s.StartTime != start.Unix() || s.Room != uid {
			t.Fatalf("ongoing session %+v", s)
		}
		e.setNow(b.End.Add(time.Hour))
		past, err := e.svc.ConferencingSessions(ctx, alice, uid)
		if err != nil || len(past) != 1 {
			t.Fatalf("past: %+v, %v", past, err)
		}
		s := past[0]
		length := int(b.End.Sub(b.Start).Seconds())
		if s.Ongoing || s.Duration != length || s.MaxParticipants != 2 || len(s.Participants) != 2 || s.ID != got[0].ID {
			t.Fatalf("past session %+v (ongoing id %s)", s, got[0].ID)
		}
		host, att := s.Participants[0], s.Participants[1]
		if host.UserID == nil || *host.UserID != "1" || host.UserName == nil || *host.UserName != alice.Name ||
			att.UserID != nil || att.UserName == nil || *att.UserName != "Gina" ||
			att.JoinTime != start.Unix() || att.Duration != length {
			t.Fatalf("participants %+v %+v", host, att)
		}
		again, _ := e.svc.ConferencingSessions(ctx, guestUser, uid)
		if !reflect.DeepEqual(again, past) {
			t.Fatalf("same booking, other sessions:\n%+v\n%+v", again, past)
		}
	})
	t.Run("AbsentAreNotParticipants", func(t *testing.T) {
		e.update(t, uid, func(b *booking.Booking) {
			b.AbsentHost = true
			b.References = []booking.Reference{{ID: 1, Type: "daily_video", EventUID: "room-abc"}}
		})
		got, err := e.svc.ConferencingSessions(ctx, alice, uid)
		if err != nil || len(got) != 1 || got[0].Room != "room-abc" || got[0].MaxParticipants != 1 || got[0].Participants[0].UserID != nil {
			t.Fatalf("got %+v, %v", got, err)
		}
	})
	t.Run("CancelledHasNone", func(t *testing.T) {
		e.update(t, uid, func(b *booking.Booking) { b.Status = booking.StatusCancelled })
		got, err := e.svc.ConferencingSessions(ctx, alice, uid)
		if err != nil || len(got) != 0 {
			t.Fatalf("got %+v, %v", got, err)
		}
	})
	t.Run("ErrNotCalVideo", func(t *testing.T) {
		e.update(t, uid, func(b *booking.Booking) { b.Location = "Via Roma 1" })
		_, err := e.svc.ConferencingSessions(ctx, alice, uid)
		wantErr(t, err, booking.ENOTFOUND, "No Cal Video reference found with booking uid "+uid, booking.OriginAPI)
	})
	t.Run("ErrForbidden", func(t *testing.T) {
		_, err := e.svc.ConferencingSessions(ctx, bob, uid)
		wantErr(t, err, booking.EFORBIDDEN, "BookingPbacGuard - user with id=2 does not have access to booking with uid="+uid, booking.OriginAPI)
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		_, err := e.svc.ConferencingSessions(ctx, alice, "nope")
		wantErr(t, err, booking.ENOTFOUND, "Booking with uid nope not found", booking.OriginAPI)
	})
}

// guestUser is the attendee of the bookings above, signed in.
var guestUser = booking.User{ID: 99, Email: "gina@example.com"}

func TestService_RoutingTrace(t *testing.T) {
	e := mustEnv(t)
	uid := e.mustCreate(t, etPlain, t0.Add(time.Hour), guest("Gina", "gina@example.com")).Bookings[0].UID
	for _, who := range []booking.User{alice, guestUser} {
		tr, err := e.svc.RoutingTrace(ctx, who, uid)
		if err != nil || tr.Steps == nil || tr.Groups == nil || len(tr.Steps)+len(tr.Groups) != 0 {
			t.Fatalf("%s: got %+v, %v; want empty, non-nil steps and groups", who.Email, tr, err)
		}
	}
	_, err := e.svc.RoutingTrace(ctx, bob, uid)
	wantErr(t, err, booking.EFORBIDDEN, "BookingPbacGuard - user with id=2 does not have access to booking with uid="+uid, booking.OriginAPI)
	_, err = e.svc.RoutingTrace(ctx, alice, "nope")
	wantErr(t, err, booking.ENOTFOUND, "Booking with uid nope not found", booking.OriginAPI)
}
