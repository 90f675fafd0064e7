// Command wiregen writes a package's JSON append functions (see package wiregen). It is run
// by go generate in the package's directory:
//
//	//go:generate go run ../internal/wiregen/cmd/wiregen -o encode_gen.go -types T1,T2 -slices T1
package main

import (
	"github.com/calmock/calmock/internal/gencmd"
	"github.com/calmock/calmock/internal/wiregen"
)

func main() { gencmd.Main(wiregen.Run) }
