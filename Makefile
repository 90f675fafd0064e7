# calmock: every target is what CI runs or what a newcomer needs. CI (.ci/run) runs `make lint`
# then `make test`.
GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)
ARGS    ?=

.PHONY: all run build test fuzz lint vet fmt-check clean bench conformance diff
TARGET  ?=
API_KEY ?=
PROFILE ?=
FEATURES ?=
CONFORM_FLAGS ?=

all: lint test build

## run: start the mock on 127.0.0.1:8080 (pass flags with ARGS="-seed 7 -verbose"). It says on
## stderr what it builds, since the first build takes minutes, and echoes no command, so that
## `make run ARGS=-dump-fixtures > mine.yaml` writes only calmock's output to the file.
run:
	@echo "calmock: building bin/calmock (the first build compiles libopenapi and can take a few minutes; later ones take seconds)…" >&2
	@$(GO) build -ldflags "$(LDFLAGS)" -o bin/calmock ./cmd/calmock
	@exec bin/calmock $(ARGS)

## build: build bin/calmock and bin/calmock-conform (the suite as one binary)
build:
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/calmock ./cmd/calmock
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/calmock-conform ./cmd/calmock-conform

## conformance: run the suite against TARGET (default: the mock in-process), e.g.
##   make conformance TARGET=http://127.0.0.1:8080        (a calmock started with make run)
##   make conformance TARGET=https://api.cal.com API_KEY=cal_live_… PROFILE=cal.json FEATURES=…
##   make conformance TARGET=http://127.0.0.1:8080 CONFORM_FLAGS='-parallel 8 -report r.json'
## It builds bin/calmock-conform and runs it. GNU make exits 2 whenever a recipe fails, so the
## suite's own code (1 broken, 2 unreachable, 3 usage) is printed and written to
## out/conformance.exit; CI that needs it runs bin/calmock-conform directly (`go run` would
## turn every failing code into 1).
conformance:
	@$(GO) build -ldflags "$(LDFLAGS)" -o bin/calmock-conform ./cmd/calmock-conform
	@mkdir -p out
	@bin/calmock-conform -report out/conformance.yaml -junit out/junit.xml \
		$(if $(TARGET),-target $(TARGET)) $(if $(API_KEY),-api-key $(API_KEY)) \
		$(if $(PROFILE),-profile $(PROFILE)) $(if $(FEATURES),-features $(FEATURES)) $(CONFORM_FLAGS); \
	code=$$?; echo $$code > out/conformance.exit; echo "calmock-conform: exit code $$code"; exit $$code

## diff: a differential run against TARGET (default: calmock in-process) with calmock as the
## oracle, e.g. make diff TARGET=https://api.cal.com API_KEY=cal_live_… PROFILE=cal.json
##   DIFF_FLAGS='-seed 42 -n 20 -steps 40 -cleanup'
## Shrunk scenarios go to out/diff/. GNU make exits 2 whenever a recipe fails, so the run's own
## code (1 divergences, 2 unreachable, 3 usage) is printed and written to out/diff.exit; CI that
## needs it runs bin/calmock-conform -diff directly.
diff:
	@$(GO) build -ldflags "$(LDFLAGS)" -o bin/calmock-conform ./cmd/calmock-conform
	@mkdir -p out
	@bin/calmock-conform -diff -report out/diff.yaml -junit out/diff-junit.xml -diff-out out/diff \
		$(if $(TARGET),-target $(TARGET)) $(if $(API_KEY),-api-key $(API_KEY)) \
		$(if $(PROFILE),-profile $(PROFILE)) $(DIFF_FLAGS); \
	code=$$?; echo $$code > out/diff.exit; echo "calmock-conform -diff: exit code $$code"; exit $$code

## test: every test with the race detector. Each fuzz target runs as a plain test over its seed
## corpus and any crasher saved under testdata/fuzz: deterministic, so CI's verdict cannot change
## from run to run. Time-bounded fuzzing, whose findings do, is `make fuzz`.
test:
	$(GO) test -race -count=1 ./...

FUZZTIME ?= 10s
FUZZ_TARGETS := FuzzCreateBody FuzzPathAndQuery FuzzHeaders FuzzAppendString

## fuzz: run each fuzz target of the mock for FUZZTIME; a crasher is saved under
## mockserver/testdata/fuzz and from then on runs as a regression test in every go test
fuzz:
	@for t in $(FUZZ_TARGETS); do \
		$(GO) test ./mockserver -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) || exit 1; \
	done

## lint: formatting, vet and staticcheck. staticcheck is pinned, and `go run pkg@version` fetches
## and builds it through the module proxy (then the build cache), so nothing is installed by hand.
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
lint: fmt-check vet
	$(GO) run $(STATICCHECK) ./...

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

clean:
	rm -rf bin

## bench: Go benchmarks (count=5) and the loopback load run; results in bench/results/ (docs/performance.md)
bench:
	GO=$(GO) ./bench/run.sh
