package webhook

import (
	"time"

	"github.com/calmock/calmock/booking"
)

// Plan is the whole decision for one transition: the events it fires, the subscriptions
// that receive each, and the rendered request for each, in the order to enqueue them.
// subs is every subscription; dir the catalog; now the createdAt of the bodies. A
// subscription whose template cannot be rendered gets a Job with Err set, which Enqueue
// records as failed.
func Plan(t Transition, dir Directory, subs []Subscription, now time.Time, opt Options) []Job {
	var jobs []Job
	for _, ev := range Fire(t) {
		et, _ := dir.EventTypeByID(ev.Booking.EventTypeID)
		recipients := Recipients(ev, et, subs)
		if len(recipients) == 0 {
			continue
		}
		payload := BuildPayload(ev, dir, opt)
		for _, s := range recipients {
			msg, err := Render(&s, ev.Trigger, now, payload)
			jobs = append(jobs, Job{Subscription: s, Trigger: ev.Trigger, Message: msg, Err: err})
		}
	}
	return jobs
}

var _ Directory = (booking.Catalog)(nil)
