package main

import (
	"fmt"
	"log/slog"

	"github.com/calmock/calmock/mockserver"
)

// logEntry returns the -verbose printer: one line per request, from its journal entry, so
// that the line and GET /_calmock/journal never disagree. Computing the entry's spec
// verdicts costs, which only -verbose pays.
func logEntry(log *slog.Logger) func(mockserver.JournalEntry) {
	return func(e mockserver.JournalEntry) {
		target := e.Path
		if e.Query != "" {
			target += "?" + e.Query
		}
		args := []any{"method", e.Method, "path", target, "status", e.Status, "durationMs", e.DurationMs}
		if e.Operation != "" {
			args = append(args, "operation", e.Operation)
		}
		if e.APIKey != "" {
			args = append(args, "apiKey", e.APIKey)
		}
		if n := len(e.Violations); n > 0 {
			v := e.Violations[0]
			args = append(args, "violations", n, "first", fmt.Sprintf("%s %s: %s", v.Kind, v.Field, v.Reason))
		}
		if e.VerdictNote != "" {
			args = append(args, "note", e.VerdictNote)
		}
		log.Info("request", args...)
	}
}

// printAdmin is the banner's part about the admin API and the journal.
func (m *Main) printAdmin(base string) {
	guard := ""
	if m.adminToken != "" {
		guard = " (send 'Authorization: Bearer <-admin-token>')"
	}
	fmt.Fprintf(m.stdout, "admin API (calmock's own, described in %s%s): %s/_calmock/…%s\n",
		base, mockserver.OpenAPIPath, base, guard)
	if m.journal > 0 {
		fmt.Fprintf(m.stdout, "request journal (last %d requests, with spec verdicts): curl %s%s?hasViolations=true\n",
			m.journal, base, mockserver.JournalPath)
	} else {
		fmt.Fprintln(m.stdout, "request journal: off (-journal 0)")
	}
}
