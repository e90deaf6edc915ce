package query

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Request is one run of "canvas query": which database, which statement, which output.
type Request struct {
	DB      string  // database file (the shared canvas, or the restricted store for analysts)
	SQL     string  // a single read statement
	Format  string  // one of Formats; "" = from Out's extension, else table
	Out     string  // output file; "" = stdout
	Limits  Limits  // row and time limits (zero: none)
	Options Options // the engine's DuckDB settings
}

// FormatFor returns the format of a request: the one given, else the output file's extension when
// it names a format, else table.
func FormatFor(format, out string) string {
	if format != "" {
		return format
	}
	ext := strings.TrimPrefix(strings.ToLower(filepath.Ext(out)), ".")
	for _, f := range Formats() {
		if f == ext && f != "table" {
			return f
		}
	}
	return "table"
}

// Do runs a request. With an output file, the result is written beside it and renamed into place
// when complete, so a failed query leaves no half-written file.
func Do(ctx context.Context, r Request, stdout io.Writer) (Result, error) {
	format := FormatFor(r.Format, r.Out)
	if _, err := NewWriter(format, io.Discard); err != nil {
		return Result{}, err
	}
	e, err := Open(ctx, r.DB, r.Options)
	if err != nil {
		return Result{}, err
	}
	defer e.Close()
	if r.Out == "" {
		w, _ := NewWriter(format, stdout)
		return e.Run(ctx, r.SQL, r.Limits, w)
	}
	tmp, err := os.CreateTemp(filepath.Dir(r.Out), "."+filepath.Base(r.Out)+".*.part")
	if err != nil {
		return Result{}, fmt.Errorf("writing %s: %w", r.Out, err)
	}
	defer os.Remove(tmp.Name())
	w, _ := NewWriter(format, tmp)
	res, err := e.Run(ctx, r.SQL, r.Limits, w)
	if cerr := tmp.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("writing %s: %w", r.Out, cerr)
	}
	if err != nil {
		return res, err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return res, err
	}
	if err := os.Rename(tmp.Name(), r.Out); err != nil {
		return res, fmt.Errorf("writing %s: %w", r.Out, err)
	}
	return res, nil
}
