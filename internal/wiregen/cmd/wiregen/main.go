// Command wiregen writes a package's JSON append functions (see package wiregen). It is run
// by go generate in the package's directory:
//
//	//go:generate go run ../internal/wiregen/cmd/wiregen -o encode_gen.go -types T1,T2 -slices T1
package main

import (
	"fmt"
	"os"

	"github.com/calmock/calmock/internal/wiregen"
)

func main() {
	o, err := wiregen.ParseArgs(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	o.Dir = "."
	src, err := wiregen.Generate(o)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := os.WriteFile(o.Output, src, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
