package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/calmock/calmock/conformance"
	"github.com/calmock/calmock/profile"
)

// envOtherAPIKey is the default of -other-api-key.
const envOtherAPIKey = "CALMOCK_OTHER_API_KEY"

// discover is -discover: it builds the target's profile with profile.Discover, writes it to
// path, and prints the kinds found and those missing with the reason. Exit codes as a run's:
// 0 written (missing kinds only disable their scenarios), 2 target unreachable or not a
// Cal.com API, 3 usage (a flag, a key the target refuses, a file that cannot be written).
func discover(ctx context.Context, target, ownerKey, otherKey, path string, stdout, stderr io.Writer) int {
	fail := func(code int, err error) int {
		fmt.Fprintln(stderr, "calmock-conform: -discover:", err)
		return code
	}
	switch {
	case target == "":
		return fail(conformance.ExitUsage, errors.New("needs -target (or "+conformance.EnvTarget+")"))
	case ownerKey == "":
		return fail(conformance.ExitUsage, errors.New("needs -api-key (or "+conformance.EnvAPIKey+"), the key of the user who owns the event types"))
	case otherKey == "":
		return fail(conformance.ExitUsage, errors.New("needs -other-api-key (or "+envOtherAPIKey+"), the key of a second user unrelated to the first"))
	}
	client := &http.Client{Timeout: 30 * time.Second}
	p, missing, err := profile.Discover(ctx, client, target, ownerKey, otherKey)
	if err != nil {
		if errors.Is(err, profile.ErrUnreachable) {
			return fail(conformance.ExitUnreachable, err)
		}
		return fail(conformance.ExitUsage, err)
	}
	data, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return fail(conformance.ExitUsage, err)
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fail(conformance.ExitUsage, err)
		}
	}
	// The profile holds both API keys: readable by its owner only.
	if err := os.WriteFile(path, append(data, '\n'), 0o600); err != nil {
		return fail(conformance.ExitUsage, err)
	}
	fmt.Fprintf(stdout, "users: %d (%s), %d (%s)\n", p.Users[0].ID, p.Users[0].Email, p.Users[1].ID, p.Users[1].Email)
	for _, kind := range profile.Kinds {
		if et, ok := p.EventTypes[kind]; ok {
			fmt.Fprintf(stdout, "found   %-21s event type %d (%s)\n", kind, et.ID, et.Slug)
		}
	}
	for _, m := range missing {
		fmt.Fprintf(stdout, "missing %-21s %s\n", m.Kind, m.Reason)
	}
	if p.PastBookingUID != "" {
		fmt.Fprintf(stdout, "found   %-21s %s\n", "pastBookingUid", p.PastBookingUID)
	} else {
		fmt.Fprintf(stdout, "missing %-21s no accepted past booking of user %d (the scenarios that need one are skipped)\n", "pastBookingUid", p.Users[0].ID)
	}
	fmt.Fprintf(stdout, "wrote %s (%d of %d kinds; scenarios needing a missing kind are skipped)\n", path, len(p.EventTypes), len(profile.Kinds))
	return conformance.ExitOK
}
