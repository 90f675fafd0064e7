# calmock: every target is what CI runs or what a newcomer needs. `make test` is the one CI runs.
GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)
ARGS    ?=

.PHONY: all run build test lint vet fmt-check clean bench conformance
TARGET  ?=
API_KEY ?=
PROFILE ?=
FEATURES ?=

all: lint test build

## run: start the mock on 127.0.0.1:8080 (pass flags with ARGS="-seed 7 -verbose")
run:
	$(GO) run -ldflags "$(LDFLAGS)" ./cmd/calmock $(ARGS)

## build: build bin/calmock and bin/calmock-conform (the suite as one binary)
build:
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/calmock ./cmd/calmock
	$(GO) build -o bin/calmock-conform ./cmd/calmock-conform

## conformance: run the suite against TARGET (default: the mock in-process), e.g.
##   make conformance TARGET=http://127.0.0.1:8080        (a calmock started with make run)
##   make conformance TARGET=https://api.cal.com API_KEY=cal_live_… PROFILE=cal.json FEATURES=…
conformance:
	$(GO) run ./cmd/calmock-conform -report out/conformance.yaml \
		$(if $(TARGET),-target $(TARGET)) $(if $(API_KEY),-api-key $(API_KEY)) \
		$(if $(PROFILE),-profile $(PROFILE)) $(if $(FEATURES),-features $(FEATURES))

## test: vet, then every test with the race detector
test: vet
	$(GO) test -race -count=1 ./...

## lint: formatting and vet
lint: fmt-check vet

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

clean:
	rm -rf bin

## bench: Go benchmarks (count=5) and the loopback load run; results in bench/results/ (docs/performance.md)
bench:
	GO=$(GO) ./bench/run.sh
