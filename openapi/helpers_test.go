package openapi

import (
	"encoding/json"
	"os"
	"testing"
)

func readJSONMap(tb testing.TB, path string) map[string]any {
	tb.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("read %s: %v", path, err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		tb.Fatalf("decode %s: %v", path, err)
	}
	return m
}
