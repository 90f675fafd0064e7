// Command recordgen writes a store's record types (see package recordgen). It is run by go
// generate in the store package's directory:
//
//	//go:generate go run ../../internal/recordgen/cmd/recordgen -o records_gen.go -domain example.com/m/domain -types T1,T2 -keys testdata/schema1.keys
package main

import (
	"github.com/calmock/calmock/internal/gencmd"
	"github.com/calmock/calmock/internal/recordgen"
)

func main() { gencmd.Main(recordgen.Run) }
