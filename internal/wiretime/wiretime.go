// Package wiretime writes instants the way the Cal.com API does: UTC, milliseconds, a literal
// Z (JavaScript's Date.toISOString). The mock's responses, the booking rules' error messages
// and the conformance suite's requests all use it, so the form is written down once.
package wiretime

import "time"

// Layout is the form in time.Format terms. Append and Format write exactly what
// t.UTC().Format(Layout) does, faster.
const Layout = "2006-01-02T15:04:05.000Z"

// Format returns t in Layout.
func Format(t time.Time) string {
	var spare [24]byte
	return string(Append(spare[:0], t))
}

// Append appends t in Layout. It does by hand what t.UTC().AppendFormat does, which parses
// its layout on every call: a booking has four instants, and on a GET that parsing was a
// twentieth of the server's CPU.
func Append(buf []byte, t time.Time) []byte {
	u := t.UTC()
	y, mo, d := u.Date()
	if y < 0 || y > 9999 {
		return u.AppendFormat(buf, Layout) // Format's own rendering of such years
	}
	h, mi, sec := u.Clock()
	var b [24]byte
	put := func(i, v, digits int) {
		for j := i + digits - 1; j >= i; j-- {
			b[j] = byte('0' + v%10)
			v /= 10
		}
	}
	put(0, y, 4)
	b[4] = '-'
	put(5, int(mo), 2)
	b[7] = '-'
	put(8, d, 2)
	b[10] = 'T'
	put(11, h, 2)
	b[13] = ':'
	put(14, mi, 2)
	b[16] = ':'
	put(17, sec, 2)
	b[19] = '.'
	put(20, u.Nanosecond()/int(time.Millisecond), 3) // truncated, as Format does
	b[23] = 'Z'
	return append(buf, b[:]...)
}
