// Package shapes holds wire structs for wiregen's tests.
package shapes

type named string

type inner struct {
	N int `json:"n"`
}

type ok struct {
	S     string         `json:"s"`
	Named named          `json:"named,omitempty"`
	P     *inner         `json:"p"`
	L     []inner        `json:"l,omitempty"`
	M     map[string]any `json:"m,omitzero"`
	skip  int
	Dash  int `json:"-"`
}

type embedded struct {
	inner
}

type optionalFirst struct {
	A string `json:"a,omitempty"`
	B string `json:"b"`
}

type unsupported struct {
	C chan int `json:"c"`
}
