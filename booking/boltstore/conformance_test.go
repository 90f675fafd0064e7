package boltstore_test

import (
	"context"
	"testing"

	"github.com/calmock/calmock/booking"
	"github.com/calmock/calmock/booking/storetest"
)

var (
	ctx = context.Background()
	t0  = storetest.T0
)

// TestStore_Conformance runs the behaviour every booking.Store must have against boltstore.
func TestStore_Conformance(t *testing.T) {
	storetest.Run(t, func(tb testing.TB) booking.Store { return MustOpen(tb) })
}
