package main

import (
	_ "github.com/pb33f/libopenapi"
	_ "github.com/pb33f/libopenapi-validator"
	_ "github.com/gorilla/mux"
	_ "github.com/brianvoe/gofakeit/v7"
	_ "go.yaml.in/yaml/v3"
)

func main() {}
