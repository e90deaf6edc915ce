// Package sourcestest reads a delivery whole for tests of package sources and its adapters: rows
// as maps, the quarantine, and the invariant that every data row read is loaded or quarantined.
package sourcestest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/ciatteh/canvas/schema"
	"github.com/ciatteh/canvas/sources"
)

// Row is one loaded row: canonical column -> value as text; null values are left out.
type Row map[string]string

// Result is a whole delivery read.
type Result struct {
	Delivery      sources.Delivery
	Rows          []Row
	Quarantine    []sources.Quarantined
	Read, Flagged int
	Batches       int
}

// Now is the fixed date of "in the future" checks in tests.
func Now() time.Time { return time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC) }

// ReadAll opens and reads a delivery with a checked allocator (leaks are errors). Unless set,
// opt.Now is Now(). Lineage columns run_id and delivery_id are left out of rows; sheet and line
// are kept.
func ReadAll(path string, adapters []sources.Adapter, opt sources.Options) (*Result, error) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	opt.Memory = mem
	if opt.Now.IsZero() {
		opt.Now = Now()
	}
	res, err := readAll(path, adapters, opt)
	if n := mem.CurrentAlloc(); n != 0 {
		return res, fmt.Errorf("memory leak: %d bytes still allocated", n)
	}
	return res, err
}

func readAll(path string, adapters []sources.Adapter, opt sources.Options) (*Result, error) {
	ctx := context.Background()
	r, err := sources.Open(ctx, path, adapters, opt)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	res := &Result{Delivery: r.Delivery()}
	want := schema.SourceByName(res.Delivery.Source).RecordSchema()
	for {
		b, err := r.Next(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return res, err
		}
		res.Batches++
		if !b.Record.Schema().Equal(want) {
			b.Record.Release()
			return res, fmt.Errorf("record schema %v, want %v", b.Record.Schema(), want)
		}
		if int(b.Record.NumRows())+len(b.Quarantine) != b.Read {
			b.Record.Release()
			return res, fmt.Errorf("invariant broken: %d loaded + %d quarantined != %d read", b.Record.NumRows(), len(b.Quarantine), b.Read)
		}
		res.Rows = append(res.Rows, Rows(b.Record)...)
		res.Quarantine = append(res.Quarantine, b.Quarantine...)
		res.Read += b.Read
		res.Flagged += b.Flagged
		b.Record.Release()
	}
	return res, nil
}

// Rows turns a record into rows of text values.
func Rows(rec arrow.RecordBatch) []Row {
	out := make([]Row, rec.NumRows())
	for i := range out {
		out[i] = Row{}
	}
	for c, col := range rec.Columns() {
		name := rec.ColumnName(c)
		if name == "run_id" || name == "delivery_id" {
			continue
		}
		for i := range out {
			if col.IsNull(i) {
				continue
			}
			switch a := col.(type) {
			case *array.String:
				out[i][name] = a.Value(i)
			case *array.Date32:
				out[i][name] = a.Value(i).FormattedString()
			case *array.Float64:
				out[i][name] = fmt.Sprint(a.Value(i))
			default:
				out[i][name] = col.ValueStr(i)
			}
		}
	}
	return out
}

// Without returns copies of rows without the named columns (lineage, typically).
func Without(rows []Row, columns ...string) []Row {
	out := make([]Row, len(rows))
	for i, r := range rows {
		out[i] = Row{}
		for k, v := range r {
			out[i][k] = v
		}
		for _, c := range columns {
			delete(out[i], c)
		}
	}
	return out
}
