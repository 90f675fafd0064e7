// Package loadrun is the loopback load run of `make bench` (issue 6), behind the thin
// cmd/calmock-load. It starts a built calmock (-rate-limit 0, a free port on 127.0.0.1,
// otherwise default flags) and a bare net/http server that answers every request with a
// canned body of the same size as the mock's answer to it, drives both with internal/loadgen,
// and prints a markdown report, each figure the median of Options.Runs runs:
//
//   - closed loop at saturation (-c clients, each sending as fast as it can): requests/s,
//     p50/p99, allocations per request and the ratio to the bare baseline. Its latencies are
//     mostly queueing, so it judges throughput, not latency targets;
//   - open loop at a fixed rate below saturation (-rate requests/s over -c connections),
//     latency from each request's due time: p50/p99/p99.9/max for the mock and the bare server;
//     GET at each of -get-rates instead, and the highest of them at which each server keeps
//     its p99 under 2 ms (throughput under a latency bound);
//   - the list of the first user among -list-bookings bookings, at 1 client and at -list-rate;
//   - create with durable state (calmock -data), closed loop and at -durable-rate;
//   - start-up (exec to first successful answer) and resident memory (VmRSS): idle and after
//     the load with the default fixtures (and how many bookings the mock then held), and idle
//     with -bookings extra ones, from which memory per booking follows.
//
// Each run starts a fresh mock, so runs do not inherit each other's bookings. Every server
// listens on 127.0.0.1 only and is stopped, and every temporary file removed, on any exit.
//
// The files split by concern: options.go (the settings and their checks), run.go (the run
// plan), measure.go (the measurements besides the main runs), ops.go (the requests of each
// operation), process.go (starting and stopping the servers under test), bare.go (the bare
// baseline server), procfs.go (/proc readings), stats.go (samples and medians) and report.go
// (the markdown report).
package loadrun
