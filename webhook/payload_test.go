package webhook

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/calmock/calmock/booking"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func sampleCatalog() *booking.StaticCatalog {
	return booking.NewStaticCatalog(
		[]booking.User{{ID: 1, Username: "ada", Name: "Ada Lovelace", Email: "ada@example.com", TimeZone: "Europe/Berlin"}},
		[]booking.Team{{ID: 3, Slug: "eng", Name: "Engineering"}},
		[]booking.EventType{
			{ID: 7, Slug: "intro", Title: "Intro", LengthInMinutes: 30, OwnerID: 1},
			{ID: 9, Slug: "standup", Title: "Standup", LengthInMinutes: 30, TeamID: 3, SchedulingType: booking.SchedulingCollective,
				HostIDs: []int{1}, SeatsPerTimeSlot: 5, SeatsShowAttendees: true},
		},
	)
}

// TestPayload_Golden renders the body of each trigger for one subscription without a
// template and compares it with testdata/<trigger>.json (go test ./webhook -update rewrites).
func TestPayload_Golden(t *testing.T) {
	acc := sampleBooking()
	pending := with(acc, func(b *booking.Booking) { b.Status = booking.StatusPending })
	cancelled := with(acc, func(b *booking.Booking) {
		b.Status = booking.StatusCancelled
		b.CancellationReason = ptr("Conflict")
		b.CancelledByEmail = ptr("ada@example.com")
	})
	rejected := with(acc, func(b *booking.Booking) { b.Status = booking.StatusRejected; b.RejectionReason = "Busy" })
	old := with(acc, func(b *booking.Booking) {
		b.Status = booking.StatusCancelled
		b.Rescheduled = true
		b.RescheduledToUID = "bk42"
	})
	moved := with(acc, func(b *booking.Booking) {
		b.UID, b.ID, b.ICSUID = "bk42", 42, "bk42@Cal.com"
		b.Start, b.End = t0.Add(48*time.Hour), t0.Add(48*time.Hour+30*time.Minute)
		b.RescheduledFromUID = "bk41"
		b.RescheduledByEmail = ptr("grace@example.com")
	})
	seated := with(acc, func(b *booking.Booking) {
		b.EventTypeID = 9
		b.Attendees = []booking.Attendee{{Name: "Grace Hopper", Email: "grace@example.com", TimeZone: "Asia/Kolkata", SeatUID: "seat-1"}}
	})
	// Instant bookings are of team event types and wait for a host: only the event type's
	// webhooks hear them.
	instant := with(acc, func(b *booking.Booking) { b.EventTypeID = 9; b.Status = booking.StatusAwaitingHost; b.HostID = 0 })

	cases := []struct {
		name string
		tr   Transition
	}{
		{"BOOKING_CREATED", Transition{Action: booking.ActionCreate, After: acc}},
		{"BOOKING_REQUESTED", Transition{Action: booking.ActionCreate, After: pending}},
		{"BOOKING_CANCELLED", Transition{Action: booking.ActionCancel, Before: &acc, After: cancelled}},
		{"BOOKING_REJECTED", Transition{Action: booking.ActionDecline, Before: &pending, After: rejected}},
		{"BOOKING_RESCHEDULED", Transition{Action: booking.ActionReschedule, Before: &old, After: moved}},
		{"BOOKING_NO_SHOW_UPDATED", Transition{Action: booking.ActionMarkAbsent, Before: &acc, After: acc,
			NoShow: []booking.AbsentAttendee{{Email: "grace@example.com", Absent: true}}}},
		{"INSTANT_MEETING", Transition{Action: booking.ActionCreate, After: instant}},
		{"BOOKING_CREATED_seated_team", Transition{Action: booking.ActionCreate, After: seated}},
		{"BOOKING_CREATED_second_seat", Transition{Action: booking.ActionCreate, Before: &seated, After: with(seated, func(b *booking.Booking) {
			b.Attendees = append(b.Attendees, booking.Attendee{Name: "Alan Turing", Email: "alan@example.com", TimeZone: "UTC", SeatUID: "seat-2"})
		})}},
		{"BOOKING_CANCELLED_one_seat", Transition{Action: booking.ActionCancel, Before: &seated, After: with(seated, func(b *booking.Booking) {
			b.Attendees = nil
			b.Status = booking.StatusAccepted
		})}},
	}
	sub := Subscription{ID: "s1", UserID: 1, EventTypeID: 0, Active: true, Triggers: Triggers, Secret: "shh"}
	subs := []Subscription{sub, {ID: "s2", EventTypeID: 9, Active: true, Triggers: Triggers}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			jobs := Plan(c.tr, sampleCatalog(), subs, t0.Add(-time.Hour), Options{})
			if len(jobs) == 0 {
				t.Fatal("Plan made no job")
			}
			for _, o := range jobs[1:] { // every subscriber gets the same body
				if !bytes.Equal(o.Message.Body, jobs[0].Message.Body) {
					t.Errorf("bodies differ between subscribers:\n%s\n%s", jobs[0].Message.Body, o.Message.Body)
				}
			}
			j := jobs[0]
			if j.Err != nil {
				t.Fatal(j.Err)
			}
			var pretty bytes.Buffer
			if err := json.Indent(&pretty, j.Message.Body, "", "  "); err != nil {
				t.Fatalf("body is not JSON: %v\n%s", err, j.Message.Body)
			}
			pretty.WriteByte('\n')
			golden := filepath.Join("testdata", c.name+".json")
			if *update {
				if err := os.WriteFile(golden, pretty.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(pretty.Bytes(), want) {
				t.Errorf("body differs from %s:\n%s", golden, pretty.Bytes())
			}
			if got := j.Message.Header.Get(HeaderSignature); got != Sign("shh", j.Message.Body) && j.Subscription.Secret != "" {
				t.Errorf("signature %s", got)
			}
		})
	}
}

func TestPayload_Shape(t *testing.T) {
	b := sampleBooking()
	jobs := Plan(Transition{Action: booking.ActionCreate, After: b}, sampleCatalog(),
		[]Subscription{{ID: "s", UserID: 1, Active: true, Triggers: Triggers}}, time.Date(2030, 1, 2, 3, 4, 5, 678e6, time.UTC), Options{})
	var body struct {
		TriggerEvent string `json:"triggerEvent"`
		CreatedAt    string `json:"createdAt"`
		Payload      struct {
			StartTime string `json:"startTime"`
			EndTime   string `json:"endTime"`
			Status    string `json:"status"`
			Organizer struct {
				UTCOffset int `json:"utcOffset"`
			} `json:"organizer"`
			Attendees []struct {
				UTCOffset int `json:"utcOffset"`
			} `json:"attendees"`
			Responses map[string]Response `json:"responses"`
		} `json:"payload"`
	}
	if err := json.Unmarshal(jobs[0].Message.Body, &body); err != nil {
		t.Fatal(err)
	}
	p := body.Payload
	if body.TriggerEvent != "BOOKING_CREATED" || body.CreatedAt != "2030-01-02T03:04:05.678Z" {
		t.Errorf("envelope: %+v", body)
	}
	if p.StartTime != "2030-03-04T09:30:00Z" || p.EndTime != "2030-03-04T10:00:00Z" || p.Status != "ACCEPTED" {
		t.Errorf("times/status: %s %s %s", p.StartTime, p.EndTime, p.Status)
	}
	// 4 March 2030: Berlin is UTC+1, New York UTC-5 (DST starts 10 March), London UTC+0.
	if p.Organizer.UTCOffset != 60 || p.Attendees[0].UTCOffset != -300 || p.Attendees[1].UTCOffset != 0 {
		t.Errorf("utcOffsets: %d %+v", p.Organizer.UTCOffset, p.Attendees)
	}
	if r := p.Responses["name"]; r.Label != "your_name" || r.Value != "Grace Hopper" {
		t.Errorf("responses.name = %+v", r)
	}
}

func TestSign(t *testing.T) {
	// Reference value from another implementation:
	// printf '{"a":1}' | openssl dgst -sha256 -hmac secret
	if got := Sign("secret", []byte(`{"a":1}`)); got != "aa9e2e3575f5d7098b6caccd790888c36d5fdb63342a73bada2d6a51747a8494" {
		t.Errorf("Sign = %s", got)
	}
	if got := Sign("", []byte("x")); got != NoSecret {
		t.Errorf("Sign without secret = %q, want %q", got, NoSecret)
	}
}

func TestRender_Headers(t *testing.T) {
	s := &Subscription{ID: "s", Secret: "k", Version: ""}
	m, err := Render(s, BookingCreated, t0, map[string]any{"a": "<b>&"})
	if err != nil {
		t.Fatal(err)
	}
	if got := string(m.Body); got != `{"triggerEvent":"BOOKING_CREATED","createdAt":"2030-03-04T09:30:00.000Z","payload":{"a":"<b>&"}}` {
		t.Errorf("body = %s", got)
	}
	if m.Header.Get("Content-Type") != ContentTypeJSON || m.Header.Get(HeaderVersion) != DefaultVersion {
		t.Errorf("headers = %v", m.Header)
	}
}

func TestApplyTemplate(t *testing.T) {
	data := map[string]any{
		"title":        `Tom's "intro" <1=1> & more`,
		"triggerEvent": "BOOKING_CREATED",
		"attendees":    []any{map[string]any{"name": "Grace"}, map[string]any{"name": "Alan"}},
		"organizer":    map[string]any{"name": "Ada"},
		"length":       json.Number("30"),
		"ok":           true,
		"list":         []any{"a", nil, json.Number("1.50")},
		"obj":          map[string]any{},
	}
	tests := []struct {
		name, tmpl, ct, want string
	}{
		{"json", `{"content": "{{triggerEvent}}", "booker": "{{attendees.0.name}}", "n": {{length}}, "x": "{{missing.deep}}"}`, ContentTypeJSON,
			`{"content":"BOOKING_CREATED","booker":"Grace","n":30,"x":""}`},
		{"escaping as Handlebars, &quot; restored", `{{title}}`, ContentTypeForm, `Tom&#x27;s "intro" &lt;1&#x3D;1&gt; &amp; more`},
		{"triple stash is raw", `{{{title}}}|{{& title}}`, ContentTypeForm, `Tom's "intro" <1=1> & more|Tom's "intro" <1=1> & more`},
		{"values as JavaScript strings", `{{ok}} {{list}} {{obj}} {{attendees.length}} {{organizer/name}} {{[title]}}`, ContentTypeForm,
			`true a,,1.5 [object Object] 2 Ada Tom&#x27;s "intro" &lt;1&#x3D;1&gt; &amp; more`},
		{"comments and whitespace control", "a {{! note }}b {{!-- {{x}} --}}c   {{~organizer.name~}}   d", ContentTypeForm, "a b cAdad"},
		{"escaped mustache", `\{{title}}`, ContentTypeForm, `{{title}}`},
		{"json keys in JavaScript order, duplicates keep place", `{"b":1,"2":"x","a":2,"b":3,"1":"y","01":0}`, ContentTypeJSON,
			`{"1":"y","2":"x","b":3,"a":2,"01":0}`},
		{"numbers as JavaScript writes them", `[1.0, 1e2, 1E-7, 0.000001, -0, 1e21, 12345678901234567890]`, ContentTypeJSON,
			`[1,100,1e-7,0.000001,0,1e+21,12345678901234567000]`},
		{"not JSON after rendering gives false", `{"a": {{title}}}`, ContentTypeJSON, `false`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ApplyTemplate(tt.tmpl, data, tt.ct)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
	for _, tmpl := range []string{`{{#if ok}}x{{/if}}`, `{{> partial}}`, `{{lookup attendees 0}}`, `{{#each list}}{{this}}{{/each}}`} {
		if _, err := ApplyTemplate(tmpl, data, ContentTypeForm); !errors.Is(err, ErrTemplateUnsupported) {
			t.Errorf("%s: err = %v, want ErrTemplateUnsupported", tmpl, err)
		}
	}
}

func TestRender_ContentTypeFromTemplate(t *testing.T) {
	for tmpl, want := range map[string]string{
		`{"a":"{{title}}"}`: ContentTypeJSON,
		`title={{title}}`:   ContentTypeForm,
		`0`:                 ContentTypeForm, // jsonParse("0") is falsy
		`"x"`:               ContentTypeJSON,
	} {
		m, err := Render(&Subscription{PayloadTemplate: tmpl}, BookingCreated, t0, map[string]any{"title": "T"})
		if err != nil {
			t.Fatal(err)
		}
		if got := m.Header.Get("Content-Type"); got != want {
			t.Errorf("%s: Content-Type %s, want %s", tmpl, got, want)
		}
		if m.Header.Get(HeaderSignature) != NoSecret {
			t.Errorf("%s: signature %s", tmpl, m.Header.Get(HeaderSignature))
		}
	}
}
