#!/bin/sh
# bench/run.sh: what `make bench` runs (issue 6). Go benchmarks of the hot paths, then the
# loopback load run of cmd/calmock-load against a built calmock and a bare net/http server:
# throughput at saturation (closed loop), latency at fixed rates (open loop), list among
# 10 000 bookings, durable create (calmock -data), start-up and memory.
# Everything lands in bench/results/ with a timestamp; *-latest files point at the newest.
#
# Knobs (environment): GO, COUNT (benchmark repetitions, 5), BENCHTIME (per benchmark,
# 200ms), BENCH (regexp, .), PKGS, LOADFLAGS (extra calmock-load flags, e.g.
# "-duration 5s -runs 5" or "-get-rates 500,1000,2000 -durable-rate 500"; see
# bin/calmock-load -help), PIN (1, the default on a machine of 2 or more CPUs with taskset:
# the load generator runs on CPU 0 and every server on the others; 0: all share every CPU).
# Pinned, a server never waits for a scheduler slice the generator holds, which on 2 cores
# was most of the tail latency of both the mock and the bare server.
# Compare two runs with:
#   go run golang.org/x/perf/cmd/benchstat@$BENCHSTAT_VERSION old.txt new.txt
set -eu
GO=${GO:-go}
COUNT=${COUNT:-5}
BENCHTIME=${BENCHTIME:-200ms}
BENCH=${BENCH:-.}
PKGS=${PKGS:-"./mockserver ./booking/memstore ./openapi ./fixtures ./internal/wiretime"}
LOADFLAGS=${LOADFLAGS:-}
BENCHSTAT_VERSION=v0.0.0-20260908200009-22c9c6c9d4da

cd "$(dirname "$0")/.."
out=bench/results
stamp=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$out" bin

{
	echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(git describe --tags --always --dirty 2>/dev/null || echo dev)"
	echo "# nproc $(nproc), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $($GO version)"
	echo "# load average: $(cut -d' ' -f1-3 /proc/loadavg) (a shared machine makes figures noisy)"
} > "$out/go-$stamp.txt"
echo "== Go benchmarks (count=$COUNT, benchtime=$BENCHTIME) -> $out/go-$stamp.txt"
# shellcheck disable=SC2086
$GO test -run '^$' -bench "$BENCH" -benchmem -count "$COUNT" -benchtime "$BENCHTIME" -timeout 60m $PKGS | tee -a "$out/go-$stamp.txt"

previous=$(ls "$out"/go-2*.txt 2>/dev/null | grep -v "go-$stamp.txt" | tail -n 1 || true) # not go-latest.txt: it is overwritten below
cp "$out/go-$stamp.txt" "$out/go-latest.txt"

echo "== load run -> $out/load-$stamp.md"
$GO build -o bin/calmock ./cmd/calmock
$GO build -o bin/calmock-load ./cmd/calmock-load
ncpu=$(nproc)
PIN=${PIN:-1}
pin=""
if [ "$PIN" = 1 ] && [ "$ncpu" -ge 2 ] && command -v taskset >/dev/null 2>&1; then
	pin="taskset -c 0"
	LOADFLAGS="-server-cpus 1-$((ncpu - 1)) $LOADFLAGS"
	echo "   (generator on CPU 0, servers on CPUs 1-$((ncpu - 1)); PIN=0 to share)"
fi
# shellcheck disable=SC2086
$pin ./bin/calmock-load -calmock bin/calmock -out "$out/load-$stamp.md" $LOADFLAGS
cp "$out/load-$stamp.md" "$out/load-latest.md"

if [ -n "$previous" ]; then
	echo "== benchstat $previous -> $out/go-$stamp.txt"
	$GO run "golang.org/x/perf/cmd/benchstat@$BENCHSTAT_VERSION" "$previous" "$out/go-$stamp.txt" | tee "$out/benchstat-$stamp.txt" || true
fi
