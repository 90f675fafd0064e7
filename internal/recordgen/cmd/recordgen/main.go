// Command recordgen writes a store's record types (see package recordgen). It is run by go
// generate in the store package's directory:
//
//	//go:generate go run ../../internal/recordgen/cmd/recordgen -o records_gen.go -domain example.com/m/domain -types T1,T2 -keys testdata/schema1.keys
package main

import (
	"fmt"
	"os"

	"github.com/calmock/calmock/internal/recordgen"
)

func main() {
	o, err := recordgen.ParseArgs(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	o.Dir = "."
	src, err := recordgen.Generate(o)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := os.WriteFile(o.Output, src, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
