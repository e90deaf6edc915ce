package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ciatteh/canvas/schema"
	"github.com/ciatteh/canvas/sources"
	"github.com/ciatteh/canvas/sources/all"
)

// CheckReport is what `canvas check` finds in one file, without loading it.
type CheckReport struct {
	Path                               string
	Delivery                           sources.Delivery
	Read, Loadable, Quarantined, Flags int64
	Reasons                            map[string]int64      // quarantine reason -> rows
	FlagCounts                         map[string]int64      // data-quality flag (column: problem) -> rows
	Examples                           []sources.Quarantined // the first quarantined rows
	Refused                            string                // the whole-file refusal, if any
}

// Outcome is the file's outcome as the run log would record it.
func (r CheckReport) Outcome() string {
	switch {
	case r.Refused != "":
		return FileRefused
	case r.Quarantined > 0:
		return FileQuarantine
	}
	return FileLoaded
}

// CheckOptions are the options of Check.
type CheckOptions struct {
	Source, Sheet string
	Codes         *schema.Codes
	MaxExamples   int // quarantined rows to show per file (default 10)
}

// Check runs the same reading and checks as a load, without a store.
func Check(ctx context.Context, path string, opt CheckOptions) (CheckReport, error) {
	rep := CheckReport{Path: path, Reasons: map[string]int64{}, FlagCounts: map[string]int64{}}
	if opt.MaxExamples == 0 {
		opt.MaxExamples = 10
	}
	if err := regularFile(path); err != nil {
		rep.Refused = err.Error()
		return rep, nil
	}
	rd, err := sources.Open(ctx, path, all.Adapters(), sources.Options{Source: opt.Source, Sheet: opt.Sheet, Codes: opt.Codes})
	if err != nil {
		var fe *sources.FileError
		if errors.As(err, &fe) {
			rep.Refused = fe.Error()
			return rep, nil
		}
		return rep, err
	}
	defer rd.Close()
	rep.Delivery = rd.Delivery()
	for {
		b, err := rd.Next(ctx)
		if err == io.EOF {
			break
		}
		if err != nil {
			var fe *sources.FileError
			if errors.As(err, &fe) {
				rep.Refused = fe.Error()
				return rep, nil
			}
			return rep, err
		}
		rep.Read += int64(b.Read)
		rep.Flags += int64(b.Flagged)
		if b.Record != nil {
			rep.Loadable += b.Record.NumRows()
			countFlags(b, rep.FlagCounts)
			b.Record.Release()
		}
		for _, q := range b.Quarantine {
			rep.Quarantined++
			rep.Reasons[ReasonKey(q.Reason)]++
			if len(rep.Examples) < opt.MaxExamples {
				rep.Examples = append(rep.Examples, q)
			}
		}
	}
	return rep, nil
}

func countFlags(b *sources.Batch, counts map[string]int64) {
	idx := b.Record.Schema().FieldIndices("dq_flags")
	if len(idx) == 0 {
		return
	}
	col, ok := b.Record.Column(idx[0]).(interface {
		IsNull(int) bool
		Value(int) string
	})
	if !ok {
		return
	}
	for i := 0; i < int(b.Record.NumRows()); i++ {
		if col.IsNull(i) {
			continue
		}
		for _, f := range strings.Split(col.Value(i), "; ") {
			// "column: problem (value)": count by column and problem, not by value
			if p := strings.Index(f, " ("); p > 0 {
				f = f[:p]
			}
			counts[f]++
		}
	}
}

// Format writes a human-readable report.
func (r CheckReport) Format(w io.Writer) {
	name := DisplayName(filepath.Base(r.Path))
	if r.Refused != "" {
		fmt.Fprintf(w, "%s: REFUSED\n  %s\n", name, r.Refused)
		return
	}
	d := r.Delivery
	where := fmt.Sprintf("header at line %d", d.HeaderLine)
	if d.Sheet != "" {
		where = fmt.Sprintf("sheet %q, header at row %d", d.Sheet, d.HeaderLine)
	}
	enc := d.Encoding
	if d.Delimiter != "" {
		enc += fmt.Sprintf(", delimiter %q", d.Delimiter)
	}
	fmt.Fprintf(w, "%s: %s extract, %s (%s), %s\n", name, d.Source, d.Format, enc, where)
	if len(d.Extra) > 0 {
		fmt.Fprintf(w, "  extra columns kept but not used: %s\n", strings.Join(d.Extra, ", "))
	}
	fmt.Fprintf(w, "  data rows %d: %d loadable (%d with data-quality flags), %d to quarantine\n", r.Read, r.Loadable, r.Flags, r.Quarantined)
	for _, kv := range sortedCounts(r.Reasons) {
		fmt.Fprintf(w, "    quarantine  %6d  %s\n", kv.n, kv.k)
	}
	for _, kv := range sortedCounts(r.FlagCounts) {
		fmt.Fprintf(w, "    flag        %6d  %s\n", kv.n, kv.k)
	}
	for _, q := range r.Examples {
		loc := fmt.Sprintf("line %d", q.Line)
		if q.Sheet != "" {
			loc = fmt.Sprintf("sheet %q row %d", q.Sheet, q.Line)
		}
		raw := q.Raw
		if len(raw) > 120 {
			raw = raw[:117] + "..."
		}
		fmt.Fprintf(w, "    %s, column %s, value %q: %s\n      %s\n", loc, q.Column, q.Value, q.Reason, raw)
	}
}

type kv struct {
	k string
	n int64
}

func sortedCounts(m map[string]int64) []kv {
	out := make([]kv, 0, len(m))
	for k, n := range m {
		out = append(out, kv{k, n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].n != out[j].n {
			return out[i].n > out[j].n
		}
		return out[i].k < out[j].k
	})
	return out
}

// ReasonKey is the first problem of a quarantine reason, for counting rows by reason: a row with
// several problems lists them all, separated by "; ".
func ReasonKey(reason string) string {
	k, _, _ := strings.Cut(reason, "; ")
	return k
}

// DisplayName renders an outside file name for a report line: names with control characters or
// invalid UTF-8 are quoted, so that a name cannot forge report lines or drive the terminal.
func DisplayName(name string) string {
	for _, r := range name {
		if r < 0x20 || r == 0x7f || r == utf8.RuneError || (r >= 0x80 && r < 0xa0) {
			return strconv.Quote(name)
		}
	}
	return name
}
