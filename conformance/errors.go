package conformance

import (
	"errors"
	"fmt"
)

// Exit codes a runner binary should use. They tell the causes of a failed run apart.
const (
	ExitOK             = 0 // every scenario that ran passed
	ExitContractBroken = 1 // the target answered, but at least one scenario failed
	ExitUnreachable    = 2 // the target could not be reached, or is not a Cal.com API
	ExitUsage          = 3 // bad flag, profile, spec or scenario file
)

// UsageError is a problem with the run's configuration: a flag, the profile, the spec or a
// scenario file. Maps to ExitUsage.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return "usage: " + e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// UnreachableError means the target did not answer, or answered like something other than
// a Cal.com API v2 (no JSON envelope). Maps to ExitUnreachable.
type UnreachableError struct {
	Target string
	Err    error
}

func (e *UnreachableError) Error() string {
	return fmt.Sprintf("target %s unreachable or not a Cal.com API: %v", e.Target, e.Err)
}
func (e *UnreachableError) Unwrap() error { return e.Err }

// ErrContractBroken is returned by RunAll when at least one scenario failed.
var ErrContractBroken = errors.New("the target breaks the contract")

// ExitCode maps an error returned by RunAll to an exit code.
func ExitCode(err error) int {
	var ue *UsageError
	var ne *UnreachableError
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &ue):
		return ExitUsage
	case errors.As(err, &ne):
		return ExitUnreachable
	default:
		return ExitContractBroken
	}
}
