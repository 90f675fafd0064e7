package loadrun

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"time"
)

// opHeader names the operation of a request, so that the bare server knows which canned
// answer to give. The mock ignores it.
const opHeader = "X-Calmock-Load-Op"

// canned is one recorded answer of the mock.
type canned struct {
	Status      int    `json:"status"`
	ContentType string `json:"contentType"`
	Body        []byte `json:"body"`
}

// ServeBare serves, on addr until ctx is done, the canned answers in file: the bare baseline
// server. Run starts it by re-executing the running binary with
// `-serve-bare -canned <file> -addr 127.0.0.1:<port>`, so that binary must hand those flags
// to ServeBare.
func ServeBare(ctx context.Context, addr, file string) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	answers := map[string]canned{}
	if err := json.Unmarshal(data, &answers); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	return serve(ctx, addr, bareHandler(answers))
}

// bareHandler answers each request with the canned answer of its operation: the baseline of
// what net/http alone costs for the same bytes.
func bareHandler(answers map[string]canned) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		a, ok := answers[r.Header.Get(opHeader)]
		if !ok {
			// Readiness probes and unknown operations.
			w.WriteHeader(http.StatusOK)
			return
		}
		w.Header().Set("Content-Type", a.ContentType)
		w.Header().Set("Content-Length", strconv.Itoa(len(a.Body)))
		w.WriteHeader(a.Status)
		_, _ = w.Write(a.Body)
	})
}

func serve(ctx context.Context, addr string, h http.Handler) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	s := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	stop := context.AfterFunc(ctx, func() { _ = s.Close() })
	defer stop()
	if err := s.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
