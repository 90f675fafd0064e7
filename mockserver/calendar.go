package mockserver

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/calmock/calmock/booking"
)

// calendarLink is one "add to calendar" link. The real API sends an id the official
// document does not declare.
type calendarLink struct {
	Label string `json:"label"`
	ID    string `json:"id"`
	Link  string `json:"link"`
}

const compactTime = "20060102T150405Z"

// calendarLinks builds the four links the real API offers: Google Calendar, Microsoft Office,
// Microsoft Outlook and an ICS data URL.
func calendarLinks(b booking.Booking, et booking.EventType, host booking.User) []calendarLink {
	title := b.Title
	desc := ""
	if b.Description != nil {
		desc = *b.Description
	}
	start, end := b.Start.UTC(), b.End.UTC()

	g := url.Values{}
	g.Set("dates", start.Format(compactTime)+"/"+end.Format(compactTime))
	g.Set("text", title)
	g.Set("details", desc)
	if b.Location != "" {
		g.Set("location", b.Location)
	}
	if r := et.Recurrence; r != nil {
		g.Set("recur", "RRULE:"+rrule(*r))
	}
	google := "https://calendar.google.com/calendar/r/eventedit?" + g.Encode()

	o := url.Values{}
	o.Set("body", desc)
	o.Set("enddt", end.Format("2006-01-02T15:04:05Z"))
	o.Set("path", "/calendar/action/compose")
	o.Set("rru", "addevent")
	o.Set("startdt", start.Format("2006-01-02T15:04:05Z"))
	o.Set("subject", title)
	if b.Location != "" {
		o.Set("location", b.Location)
	}
	office := "https://outlook.office.com/calendar/0/deeplink/compose?" + o.Encode()
	outlook := "https://outlook.live.com/calendar/0/deeplink/compose?" + o.Encode()

	var ics strings.Builder
	ics.WriteString("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//calmock//bookings//EN\r\nBEGIN:VEVENT\r\n")
	fmt.Fprintf(&ics, "UID:%s\r\nDTSTAMP:%s\r\nDTSTART:%s\r\nDTEND:%s\r\nSUMMARY:%s\r\n",
		b.ICSUID, b.CreatedAt.UTC().Format(compactTime), start.Format(compactTime), end.Format(compactTime), title)
	if desc != "" {
		fmt.Fprintf(&ics, "DESCRIPTION:%s\r\n", desc)
	}
	if b.Location != "" {
		fmt.Fprintf(&ics, "LOCATION:%s\r\n", b.Location)
	}
	fmt.Fprintf(&ics, "ORGANIZER;CN=%s:mailto:%s\r\n", host.Name, host.Email)
	for _, a := range b.Attendees {
		fmt.Fprintf(&ics, "ATTENDEE;CN=%s:mailto:%s\r\n", a.Name, a.Email)
	}
	if r := et.Recurrence; r != nil {
		fmt.Fprintf(&ics, "RRULE:%s\r\n", rrule(*r))
	}
	ics.WriteString("END:VEVENT\r\nEND:VCALENDAR\r\n")

	return []calendarLink{
		{Label: "Google Calendar", ID: "googleCalendar", Link: google},
		{Label: "Microsoft Office", ID: "microsoftOffice", Link: office},
		{Label: "Microsoft Outlook", ID: "microsoftOutlook", Link: outlook},
		{Label: "ICS", ID: "ics", Link: "data:text/calendar," + url.QueryEscape(ics.String())},
	}
}

func rrule(r booking.Recurrence) string {
	freq := map[booking.Frequency]string{booking.FrequencyYearly: "YEARLY", booking.FrequencyMonthly: "MONTHLY", booking.FrequencyWeekly: "WEEKLY"}[r.Frequency]
	return fmt.Sprintf("FREQ=%s;INTERVAL=%d;COUNT=%d", freq, r.Interval, r.Count)
}
