package dedup

import (
	"fmt"
	"testing"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// TestInterner reads a column of repeated codes, empty values and NULLs through an interner and
// requires what col.str reads, one shared copy per value, copies that outlive the batch, and
// no sharing beyond maxInterned values.
func TestInterner(t *testing.T) {
	sc := arrow.NewSchema([]arrow.Field{{Name: "code", Type: arrow.BinaryTypes.String, Nullable: true}}, nil)
	b := array.NewRecordBuilder(memory.NewGoAllocator(), sc)
	defer b.Release()
	sb := b.Field(0).(*array.StringBuilder)
	values := []string{"CONVICTION", "", "ACQUITTAL", "CONVICTION", "-", "ACQUITTAL", "CONVICTION"}
	for _, v := range values {
		sb.Append(v)
	}
	sb.AppendNull()
	rec := b.NewRecordBatch()
	c := col{rec}
	in := interner{}
	first := map[string]*byte{}
	var got []string
	for i := range int(rec.NumRows()) {
		s := in.str(c, 0, i)
		if want := c.str(0, i); s != want {
			t.Errorf("row %d: %q, col.str reads %q", i, s, want)
		}
		if s != "" {
			if p, ok := first[s]; ok && p != unsafe.StringData(s) {
				t.Errorf("row %d: %q is a copy of its own, not the shared one", i, s)
			}
			first[s] = unsafe.StringData(s)
		}
		got = append(got, s)
	}
	rec.Release()
	sb.AppendValues([]string{"XXXXXXXXXX", "XXXXXXXXXX", "XXXXXXXXXX", "XXXXXXXXXX", "XXXXXXXXXX", "XXXXXXXXXX", "XXXXXXXXXX", "XXXXXXXXXX"}, nil)
	b.NewRecordBatch().Release() // the first batch's buffers may be reused: the strings must not point there
	for i, v := range append(values, "") {
		if got[i] != v {
			t.Errorf("row %d after the batch is gone: %q, want %q", i, got[i], v)
		}
	}
	// a column of ever new values stops sharing at maxInterned
	for i := range maxInterned + 10 {
		sb.Append(fmt.Sprint(i))
	}
	rec = b.NewRecordBatch()
	defer rec.Release()
	many := interner{}
	for i := range int(rec.NumRows()) {
		many.str(col{rec}, 0, i)
	}
	if len(many) != maxInterned {
		t.Errorf("%d values shared, want at most %d", len(many), maxInterned)
	}
}
