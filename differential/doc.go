// Package differential runs generated sequences of bookings operations against a target and
// against an in-process calmock that mirrors it (the oracle), and reports every place where
// their answers differ (issue 17, points 1 to 5 and 9).
//
//   - MirrorFixtures builds the oracle's world from the target's profile: the same users,
//     API keys and event types, so that the same request means the same thing on both sides.
//     The run only works on bookings it creates (unique attendee emails); bookings the target
//     held before are in no answer it compares.
//
//   - Generate makes a sequence of operations from a seed (same seed, same sequence): creates
//     on each event type kind, gets, lists, reschedules, cancels, confirms, declines,
//     mark-absent, reassigns, calendar links, references, and a share of invalid requests.
//     Ops name bookings by the step that made them, never by uid, so any prefix of a
//     sequence replays on fresh sides (Runner.Play), which shrinking builds on.
//
//   - compareAnswers compares each pair of answers: status, Content-Type, envelope, error
//     code and message, then the body field by field, after the normalisations of the one
//     table Normalisations (uids and ids through a mapping table learned as the run goes,
//     times within a tolerance, unordered lists, names the profile does not carry).
//
//   - Runner.Shrink minimises a sequence's first difference (delta debugging) and
//     Runner.Scenario writes the result as a scenario file of package scenarios; Run does
//     both for each new divergence (operation and field) and groups the report by them.
//
// A calmock target with sandboxes gives each sequence its own sandbox and clock (so a booking
// can be made to have started and be marked absent); any other target is shared by the
// whole run, and mark-absent is left out (the run's bookings have not started).
package differential
