package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/ciatteh/canvas/pipeline"
)

// isTerminal reports whether f is a terminal (progress is only drawn on one).
func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// progressPrinter draws one status line per file on a terminal: rows and MB per second, and
// time left from the bytes read so far.
func progressPrinter(w io.Writer, quiet bool) func(pipeline.ProgressEvent) {
	f, ok := w.(*os.File)
	if quiet || !ok || !isTerminal(f) {
		return nil
	}
	return func(e pipeline.ProgressEvent) {
		secs := e.Elapsed.Seconds()
		if secs <= 0 {
			secs = 1e-9
		}
		mbs := float64(e.Bytes) / 1e6 / secs
		rows := float64(e.Rows) / secs
		left := "?"
		if e.Bytes > 0 && e.Size > 0 {
			rem := time.Duration(float64(e.Elapsed) * float64(e.Size-e.Bytes) / float64(e.Bytes))
			left = rem.Round(time.Second).String()
		}
		pct := 0.0
		if e.Size > 0 {
			pct = 100 * float64(e.Bytes) / float64(e.Size)
		}
		if e.Done {
			fmt.Fprintf(w, "\r\033[K[%d/%d] %s: %s, %d rows in %s\n", e.Index+1, e.Files, e.File, e.Outcome, e.Rows,
				e.Elapsed.Round(time.Millisecond))
			return
		}
		fmt.Fprintf(w, "\r\033[K[%d/%d] %s %5.1f%%  %d rows  %.0f rows/s  %.1f MB/s  %s left", e.Index+1, e.Files, e.File,
			pct, e.Rows, rows, mbs, left)
	}
}
