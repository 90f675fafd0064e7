// Package domain holds the shapes TestGenerate writes records for.
package domain

import "time"

type Kind string

type Root struct {
	ID       int            `json:"id"`
	Renamed  string         `json:"wireName,omitempty"`
	Kind     Kind           `json:"kind"`
	At       time.Time      `json:"at"`
	Items    []Item         `json:"items,omitempty"`
	Main     Item           `json:"main"`
	Maybe    *Item          `json:"maybe"`
	Extra    map[string]any `json:"extra,omitempty"`
	Added    *string        `json:"added,omitempty"`
	Untagged int
}

type Item struct {
	Name string `json:"name"`
}

type Unlisted struct {
	Items map[string]Item `json:"items"`
}

type InMap struct {
	M map[string]Item `json:"m"`
}

type Hidden struct {
	X int `json:"-"`
}

type Private struct {
	x int
}

type Stringly struct {
	N int `json:"n,string"`
}
