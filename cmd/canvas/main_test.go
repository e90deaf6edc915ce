package main

import (
	"context"
	"os"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// The CLI is tested end to end with testscript scenarios in testdata/script/*.txtar: each runs
// canvas commands against files and compares their output and exit codes.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"canvas": func() { os.Exit(run(context.Background(), os.Args[1:])) },
	})
}

func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			env.Setenv("CANVAS_STORE", env.WorkDir+"/store")
			return nil
		},
	})
}
