// Package store is where TestGenerate's records would go.
package store
