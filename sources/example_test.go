package sources_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/ciatteh/canvas/sources"
	"github.com/ciatteh/canvas/sources/all"
)

// Open a delivery, read its batches, and keep the invariant: every data row read is loaded or
// quarantined.
func ExampleOpen() {
	ctx := context.Background()
	r, err := sources.Open(ctx, filepath.Join("testdata", "police_bad_rows.csv"), all.Adapters(),
		sources.Options{RunID: 1, DeliveryID: 7, Now: time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		var fe *sources.FileError
		if errors.As(err, &fe) {
			fmt.Println("refused:", fe)
		}
		return
	}
	defer r.Close()
	d := r.Delivery()
	fmt.Printf("%s %s %s delimiter %q header at line %d\n", d.Source, d.Format, d.Encoding, d.Delimiter, d.HeaderLine)
	for {
		b, err := r.Next(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			fmt.Println("refused midway:", err)
			return
		}
		fmt.Printf("read %d, loaded %d (%d flagged), quarantined %d\n", b.Read, b.Record.NumRows(), b.Flagged, len(b.Quarantine))
		for _, q := range b.Quarantine[:2] {
			fmt.Printf("line %d: %s %q: %s\n", q.Line, q.Column, q.Value, q.Reason)
		}
		b.Record.Release()
	}
	// Output:
	// police csv utf-8 delimiter ";" header at line 1
	// read 9, loaded 2 (2 flagged), quarantined 7
	// line 2: district "XXX": unknown district code
	// line 3: offence_code "99Z9": unknown offence code for police (not in offence_map.csv nor a canvas offence code)
}
