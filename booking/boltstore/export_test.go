package boltstore

// Commits is the number of bbolt commits the committer has made: fewer than the Updates it
// answered means that they shared commits.
func Commits(s *Store) int64 { return s.commits.Load() }

// Queued is the number of Updates waiting for the committer.
func Queued(s *Store) int { return len(s.reqs) }
