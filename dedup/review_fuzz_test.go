package dedup_test

import (
	"bytes"
	"testing"

	"github.com/ciatteh/canvas/dedup"
)

// FuzzReadDecisionsCSV reads arbitrary bytes as an analyst's review decisions: no panic, and
// every decision it accepts names two records and a verdict.
func FuzzReadDecisionsCSV(f *testing.F) {
	f.Add([]byte("a,b,decision\nMACH:P1,MACH:P2,match\n"))
	f.Add([]byte("a;b;decision;note;by\nMACH:P1;LEGACY:L9;nomatch;\"two people; same name\";ana\n"))
	f.Add([]byte("a,b\n"))
	f.Add([]byte("\xef\xbb\xbfa,b,decision\r\nx,y,maybe\r\n"))
	f.Add([]byte("\"unterminated\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ds, err := dedup.ReadDecisionsCSV(bytes.NewReader(data), "fuzz.csv")
		if err != nil {
			return
		}
		for _, d := range ds {
			if d.A == "" || d.B == "" {
				t.Fatalf("accepted a decision without both records: %+v", d)
			}
		}
	})
}
