package differential

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"
)

func jsonAnswer(t *testing.T, status int, body string) answer {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatalf("bad test body %s: %v", body, err)
	}
	return answer{Status: status, ContentType: "application/json; charset=utf-8", Body: []byte(body), JSON: v, IsJSON: true}
}

func paths(ds []Difference) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.Path)
	}
	return out
}

func TestCompare_UidsPairThroughTheMapping(t *testing.T) {
	m := NewMapping()
	get := Op{Kind: OpGet, Name: "get"}
	// The first answer pairs tUID with oUID; the meeting URL quotes them.
	d := compareAnswers(m, time.Minute, get,
		jsonAnswer(t, 200, `{"status":"success","data":{"id":31,"uid":"targetUid00000000000001","meetingUrl":"https://app.cal.com/video/targetUid00000000000001"}}`),
		jsonAnswer(t, 200, `{"status":"success","data":{"id":1,"uid":"oracleUid00000000000001","meetingUrl":"https://app.cal.com/video/oracleUid00000000000001"}}`))
	if len(d) != 0 {
		t.Fatalf("first answer: %v", d)
	}
	// A later answer naming the target's booking by another oracle uid breaks the pair.
	d = compareAnswers(m, time.Minute, get,
		jsonAnswer(t, 200, `{"status":"success","data":{"id":31,"uid":"targetUid00000000000001"}}`),
		jsonAnswer(t, 200, `{"status":"success","data":{"id":1,"uid":"oracleUid00000000000002"}}`))
	if !slices.Equal(paths(d), []string{"data.uid"}) || !strings.Contains(d[0].Note, "paired") {
		t.Fatalf("got %v, want one difference at data.uid naming the earlier pair", d)
	}
	// Nor may a second target uid take an oracle uid already paired.
	d = compareAnswers(m, time.Minute, get,
		jsonAnswer(t, 200, `{"status":"success","data":{"id":32,"uid":"targetUid00000000000009"}}`),
		jsonAnswer(t, 200, `{"status":"success","data":{"id":2,"uid":"oracleUid00000000000001"}}`))
	if !slices.Equal(paths(d), []string{"data.uid"}) {
		t.Fatalf("got %v, want data.uid", d)
	}
}

func TestCompare_MappedValuesKeepTheirType(t *testing.T) {
	d := compareAnswers(NewMapping(), time.Minute, Op{Kind: OpGet},
		jsonAnswer(t, 200, `{"status":"success","data":{"id":"5"}}`),
		jsonAnswer(t, 200, `{"status":"success","data":{"id":5}}`))
	if !slices.Equal(paths(d), []string{"data.id"}) {
		t.Fatalf("an id as a string: %v", d)
	}
}

func TestCompare_StatusEnvelopeErrorFirst(t *testing.T) {
	d := compareAnswers(NewMapping(), time.Minute, Op{Kind: OpCancel, Name: "cancel"},
		jsonAnswer(t, 404, `{"status":"error","timestamp":"2026-01-01T00:00:00.000Z","error":{"code":"NotFoundException","message":"no booking"}}`),
		jsonAnswer(t, 400, `{"status":"error","timestamp":"2026-01-01T00:00:30.000Z","error":{"code":"BadRequestException","message":"bad"}}`))
	want := []string{"(status)", "error.code", "error.message"}
	if !slices.Equal(paths(d), want) {
		t.Fatalf("paths %v, want %v", paths(d), want)
	}
}

func TestCompare_AbsentKeysAndLengths(t *testing.T) {
	d := compareAnswers(NewMapping(), time.Minute, Op{Kind: OpGet},
		jsonAnswer(t, 200, `{"status":"success","data":{"absentHost":false,"guests":["a@example.com"],"extra":1}}`),
		jsonAnswer(t, 200, `{"status":"success","data":{"absentHost":false,"guests":["a@example.com","b@example.com"],"rating":null}}`))
	want := []string{"data.guests.length", "data.extra", "data.rating"}
	if !slices.Equal(paths(d), want) {
		t.Fatalf("paths %v, want %v", paths(d), want)
	}
	if !strings.Contains(d[1].String(), "oracle absent") || d[1].Absent != "oracle" || d[2].Absent != "target" {
		t.Fatalf("an absent key is not shown as absent: %s, %s", d[1], d[2])
	}
}

func TestCompare_TimesWithinTheTolerance(t *testing.T) {
	op := Op{Kind: OpGet}
	near := compareAnswers(NewMapping(), time.Minute, op,
		jsonAnswer(t, 200, `{"status":"success","data":{"createdAt":"2026-01-01T00:00:00.000Z","start":"2026-02-01T09:00:00.000Z"}}`),
		jsonAnswer(t, 200, `{"status":"success","data":{"createdAt":"2026-01-01T00:00:40.000Z","start":"2026-02-01T09:00:00.000Z"}}`))
	if len(near) != 0 {
		t.Fatalf("40 s apart within a minute: %v", near)
	}
	far := compareAnswers(NewMapping(), time.Minute, op,
		jsonAnswer(t, 200, `{"status":"success","data":{"createdAt":"2026-01-01T00:00:00.000Z","start":"2026-02-01T09:00:00.000Z"}}`),
		jsonAnswer(t, 200, `{"status":"success","data":{"createdAt":"2026-01-01T00:05:00.000Z","start":"2026-02-01T09:01:00.000Z"}}`))
	// start is no NormTime field: a minute off is a difference however small.
	if !slices.Equal(paths(far), []string{"data.createdAt", "data.start"}) {
		t.Fatalf("paths %v", paths(far))
	}
}

func TestCompare_UnorderedOnlyWhereTheTableSays(t *testing.T) {
	a := `{"status":"success","data":[{"type":"daily_video","eventUid":"eventUidTarget0001","id":7},{"type":"google_calendar","eventUid":"eventUidTarget0002","id":8}]}`
	b := `{"status":"success","data":[{"type":"google_calendar","eventUid":"eventUidOracle0002","id":2},{"type":"daily_video","eventUid":"eventUidOracle0001","id":1}]}`
	if d := compareAnswers(NewMapping(), time.Minute, Op{Kind: OpReferences}, jsonAnswer(t, 200, a), jsonAnswer(t, 200, b)); len(d) != 0 {
		t.Fatalf("references in another order: %v", d)
	}
	// The same arrays as a list of bookings (ordered): the order matters.
	if d := compareAnswers(NewMapping(), time.Minute, Op{Kind: OpList}, jsonAnswer(t, 200, a), jsonAnswer(t, 200, b)); len(d) == 0 || !strings.HasPrefix(d[0].Path, "data[0].") {
		t.Fatalf("a list in another order: %v", d)
	}
}

func TestCompare_LearnsNamesAndTitles(t *testing.T) {
	m := NewMapping()
	op := Op{Kind: OpCreate}
	target := `{"status":"success","data":{"title":"30 Min Meeting between Alice Smith and Ada","hosts":[{"id":1,"name":"Alice Smith","email":"alice@example.com"}]}}`
	oracle := `{"status":"success","data":{"title":"mirror-event-type-1 between mirror-user-1 and Ada","hosts":[{"id":1,"name":"mirror-user-1","email":"alice@example.com"}]}}`
	if d := compareAnswers(m, time.Minute, op, jsonAnswer(t, 200, target), jsonAnswer(t, 200, oracle)); len(d) != 0 {
		t.Fatalf("first answer: %v", d)
	}
	// Learned: a title whose rest differs, or another event type title, is a difference.
	target2 := `{"status":"success","data":{"title":"30 Min Meeting between Alice Smith and Grace"}}`
	oracle2 := `{"status":"success","data":{"title":"mirror-event-type-1 between mirror-user-1 and Ada"}}`
	if d := compareAnswers(m, time.Minute, op, jsonAnswer(t, 200, target2), jsonAnswer(t, 200, oracle2)); !slices.Equal(paths(d), []string{"data.title"}) {
		t.Fatalf("another attendee in the title: %v", d)
	}
	target3 := `{"status":"success","data":{"title":"45 Min Meeting between Alice Smith and Ada"}}`
	oracle3 := `{"status":"success","data":{"title":"mirror-event-type-1 between mirror-user-1 and Ada"}}`
	if d := compareAnswers(m, time.Minute, op, jsonAnswer(t, 200, target3), jsonAnswer(t, 200, oracle3)); !slices.Equal(paths(d), []string{"data.title"}) {
		t.Fatalf("another event type title: %v", d)
	}
	// A host email is no placeholder: compared as it is.
	target4 := `{"status":"success","data":{"hosts":[{"id":1,"name":"Alice Smith","email":"bob@example.com"}]}}`
	oracle4 := `{"status":"success","data":{"hosts":[{"id":1,"name":"mirror-user-1","email":"alice@example.com"}]}}`
	if d := compareAnswers(m, time.Minute, op, jsonAnswer(t, 200, target4), jsonAnswer(t, 200, oracle4)); !slices.Equal(paths(d), []string{"data.hosts[0].email"}) {
		t.Fatalf("another host email: %v", d)
	}
}

func TestCompare_MessagesQuotingTheTime(t *testing.T) {
	op := Op{Kind: OpMarkAbsent}
	msg := func(at string) string {
		return `{"status":"error","error":{"code":"BadRequestException","message":"Current time in UTC+0: ` + at + `, Booking start time in UTC+0: 2027-01-01T09:00:00.000Z"}}`
	}
	if d := compareAnswers(NewMapping(), time.Minute, op, jsonAnswer(t, 400, msg("2026-01-01T00:00:00.100Z")), jsonAnswer(t, 400, msg("2026-01-01T00:00:00.900Z"))); len(d) != 0 {
		t.Fatalf("times a moment apart: %v", d)
	}
	if d := compareAnswers(NewMapping(), time.Minute, op, jsonAnswer(t, 400, msg("2026-01-01T00:00:00.100Z")), jsonAnswer(t, 400, msg("2026-01-02T00:00:00.100Z"))); !slices.Equal(paths(d), []string{"error.message"}) {
		t.Fatalf("a day apart: %v", d)
	}
}

func TestCompare_NotJSON(t *testing.T) {
	d := compareAnswers(NewMapping(), time.Minute, Op{Kind: OpGet},
		answer{Status: 502, ContentType: "text/html", Body: []byte("<html>bad gateway</html>")},
		jsonAnswer(t, 200, `{"status":"success","data":{}}`))
	if !slices.Equal(paths(d), []string{"(status)", "(content-type)", "(body)"}) {
		t.Fatalf("paths %v", paths(d))
	}
}

// TestNormalisations_OneDocumentedTable: every row says why, and is of a known kind.
func TestNormalisations_OneDocumentedTable(t *testing.T) {
	kinds := []NormKind{NormMapped, NormLearned, NormLearnedPrefix, NormTime, NormUnordered, NormCalendarLink, NormText, NormNotCompared}
	for i, n := range Normalisations {
		if len(n.Reason) < 20 || n.Where == "" || !slices.Contains(kinds, n.Kind) {
			t.Errorf("row %d (%s): a where, a known kind and a reason are needed: %+v", i, n.Where, n)
		}
		if (n.Kind == NormMapped) != (n.Space != "") {
			t.Errorf("row %d (%s): a space is for mapped rows only", i, n.Where)
		}
	}
	if last := Normalisations[len(Normalisations)-1]; last.Where != "**" {
		t.Errorf("the last row must be the catch-all for strings, got %q", last.Where)
	}
}

// TestPlay_PrefixAndDroppedOps: a prefix replays the same steps, and a sequence with ops
// dropped still runs (refs to a dropped op read UnknownUID on both sides) without a
// difference: what shrinking will need.
func TestPlay_PrefixAndDroppedOps(t *testing.T) {
	r, closeFn, err := New(context.Background(), Options{Handler: calmockTarget(t), Seed: 21, Steps: 30})
	if err != nil {
		t.Fatal(err)
	}
	defer closeFn()
	seq := r.Sequence(0)
	full, err := r.Play(context.Background(), seq, -1, 0)
	if err != nil || len(full.Differences) > 0 {
		t.Fatalf("full: %v %v", err, full.Differences)
	}
	part, err := r.Play(context.Background(), seq, 12, 0)
	if err != nil || len(part.Differences) > 0 {
		t.Fatalf("prefix: %v %v", err, part.Differences)
	}
	if len(part.Steps) != 12 {
		t.Fatalf("prefix of 12 played %d steps", len(part.Steps))
	}
	for i, st := range part.Steps {
		if st != full.Steps[i] {
			t.Fatalf("step %d: prefix %+v, full %+v", i, st, full.Steps[i])
		}
	}
	// Drop every op that creates: the rest name bookings that never existed.
	dropped := seq
	dropped.Ops = nil
	for _, op := range seq.Ops {
		if op.Kind != OpCreate {
			dropped.Ops = append(dropped.Ops, op)
		}
	}
	res, err := r.Play(context.Background(), dropped, -1, 0)
	if err != nil || len(res.Differences) > 0 {
		t.Fatalf("dropped: %v %v", err, res.Differences)
	}
	notFound := 0
	for _, st := range res.Steps {
		if st.TargetStatus == 404 {
			notFound++
		}
	}
	if notFound == 0 {
		t.Fatalf("no step of the creates-dropped sequence was a 404: %+v", res.Steps)
	}
}
