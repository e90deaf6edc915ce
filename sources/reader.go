// Package sources reads partner delivery files (CSV or XLSX) into canonical Arrow records.
//
// It is the first stage of a nightly run (receive -> check -> raw layer, canvas.md section 2):
// Open recognises the format, the encoding, the header row and the source of a file, and the
// Reader streams its rows converted to the canonical record of package schema, each batch with
// the rows that cannot be counted (quarantine). The generic checks of the delivery contract
// (extracts.md section 1) live here; each source's own checks live in its adapter
// (sources/police, sources/prosecution, sources/mach; sources/all lists them). Files are parsed
// nowhere else: later stages read the raw layer the pipeline writes from these records.
//
// Invariant: for every file, the quarantined rows plus the loaded rows equal the data rows read.
// A file that breaks the contract as a whole is refused with a *FileError, from Open or from
// Next; a caller must then discard everything it took from that file.
package sources

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/ciatteh/canvas/schema"
)

// Defaults of Options.
const (
	DefaultBatchSize     = 8192
	DefaultMaxFieldBytes = 1 << 20
)

// Options configures Open.
type Options struct {
	// Source forces the source name ("" = recognise: file name prefix per schema Source.Prefixes,
	// else the header row).
	Source string
	// Sheet is the XLSX sheet to read ("" = the first sheet with a header row).
	Sheet string
	// Codes are the reference code lists (nil: the embedded lists).
	Codes *schema.Codes
	// RunID and DeliveryID are written into the lineage columns.
	RunID, DeliveryID int64
	// BatchSize is the number of data rows read per batch (default 8192).
	BatchSize int
	// Memory allocates the Arrow records (default memory.DefaultAllocator).
	Memory memory.Allocator
	// MaxFieldBytes bounds a field (default 1 MiB): a longer field quarantines its row ("field
	// too long"); memory never grows with the input.
	MaxFieldBytes int
	// Now is the date of "in the future" checks (default time.Now()).
	Now time.Time
}

// Delivery is what was found out about a delivery file.
type Delivery struct {
	Path, Name string // the file as given, and its base name
	Source     string // police, prosecution or mach
	Format     string // csv or xlsx
	Encoding   string // CSV: utf-8, utf-8-bom or windows-1252
	Delimiter  string // CSV: ";", "," or "\t"
	Sheet      string // XLSX: the sheet read
	HeaderLine int    // physical line (CSV) or row (XLSX) of the header row
	Header     []string
	// Mapping maps each delivered header name recognised to its canonical column.
	Mapping map[string]string
	// Extra lists the delivered columns that are no column of the source, kept in `extra`.
	Extra []string
}

// Quarantined is a row that cannot be counted: it is kept with enough to find, understand and
// re-process it.
type Quarantined struct {
	Sheet  string // XLSX sheet, "" for CSV
	Line   int64  // physical line (CSV) or spreadsheet row (XLSX) where the row starts
	Raw    string // the row's text (its fields re-joined as CSV)
	Column string // canonical column of the (first) problem, "" for a problem of the whole row
	Value  string // the offending value
	Reason string
}

// Batch is the outcome of reading up to Options.BatchSize data rows.
type Batch struct {
	// Record holds the rows that can be counted, in the canonical schema of the source
	// (schema.Source.RecordSchema); it may have 0 rows. The caller releases it.
	Record arrow.RecordBatch
	// Quarantine holds the rows of this batch that cannot be counted.
	Quarantine []Quarantined
	// Read counts the data rows read in this batch (Read = Record rows + len(Quarantine));
	// Flagged counts the loaded rows carrying data-quality flags.
	Read, Flagged int
}

// Reader streams the rows of one delivery.
type Reader interface {
	// Delivery describes the file.
	Delivery() Delivery
	// Next reads the next batch; it returns io.EOF after the last one. An error other than io.EOF
	// (a *FileError for a file found broken midway) refuses the whole file.
	Next(ctx context.Context) (*Batch, error)
	// BytesRead is how much of the file was read so far, for progress.
	BytesRead() int64
	// Close releases the file.
	Close() error
}

// FileError refuses a whole delivery file. Its message names the file, what was expected, what
// was found and what to do.
type FileError struct {
	Path, Expected, Found, Hint string
}

// Error is the refusal as one message: file, expected, found, what to do.
func (e *FileError) Error() string {
	s := fmt.Sprintf("%s: refused: expected %s; found %s", e.Path, e.Expected, e.Found)
	if e.Hint != "" {
		s += ". What to do: " + e.Hint
	}
	return s
}

// Open opens a delivery file, recognises its format, encoding, header row and source among the
// adapters, and returns a Reader of its rows. A file that breaks the contract as a whole (empty,
// binary, truncated XLSX, unrecognisable, not the source it claims, missing required columns)
// is refused with a *FileError.
func Open(ctx context.Context, path string, adapters []Adapter, opt Options) (Reader, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(adapters) == 0 {
		return nil, errors.New("sources.Open: no adapters given")
	}
	if opt.BatchSize <= 0 {
		opt.BatchSize = DefaultBatchSize
	}
	if opt.MaxFieldBytes <= 0 {
		opt.MaxFieldBytes = DefaultMaxFieldBytes
	}
	if opt.Now.IsZero() {
		opt.Now = time.Now()
	}
	opt.Memory = defaultAllocator(opt.Memory)
	if opt.Codes == nil {
		c, err := schema.LoadCodes("")
		if err != nil {
			return nil, err
		}
		opt.Codes = c
	}
	o := &opener{path: path, adapters: adapters, opt: &opt}
	for _, a := range adapters {
		o.idx = append(o.idx, newHeaderIndex(a.Source()))
	}
	o.claimed, o.claimedBy = opt.Source, "given as the source"
	if o.claimed == "" {
		o.claimed, o.claimedBy = claimedSource(o.idx, filepath.Base(path)), "named by the file name prefix"
	}

	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open delivery: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("open delivery: %w", err)
	}
	if st.IsDir() {
		f.Close()
		return nil, &FileError{Path: path, Expected: "a CSV or XLSX file", Found: "a directory", Hint: "name the delivery file itself"}
	}
	o.size = st.Size()
	var head [8192]byte
	n, err := io.ReadFull(f, head[:])
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		f.Close()
		return nil, fmt.Errorf("read delivery %s: %w", path, err)
	}
	if ferr := sniff(path, head[:n]); ferr != nil {
		f.Close()
		return nil, ferr
	}
	if bytes.HasPrefix(head[:n], []byte("PK\x03\x04")) {
		f.Close()
		return openXLSX(ctx, o)
	}
	return openCSV(ctx, o, f)
}

// opener carries what Open knows while it works out a file.
type opener struct {
	path      string
	size      int64
	adapters  []Adapter
	idx       []*headerIndex
	opt       *Options
	claimed   string
	claimedBy string
}

func (o *opener) adapterOf(name string) Adapter {
	for _, a := range o.adapters {
		if a.Source().Name == name {
			return a
		}
	}
	return nil
}

// sniff refuses what is certainly not a CSV or XLSX by its first bytes.
func sniff(path string, head []byte) *FileError {
	if len(head) == 0 {
		return &FileError{Path: path, Expected: "a CSV or XLSX extract with a header row", Found: "an empty file (0 bytes)",
			Hint: "the export failed or was cut: ask the partner to deliver the file again"}
	}
	kinds := []struct {
		magic, what, hint string
	}{
		{"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", "an old Excel .xls (or another OLE2) file", "save it as .xlsx or CSV"},
		{"\x1F\x8B", "a gzip archive", "unpack it first"},
		{"%PDF", "a PDF document", "ask for the CSV or XLSX export"},
		{"\xFF\xFE", "a UTF-16 text file", "save it as CSV UTF-8"},
		{"\xFE\xFF", "a UTF-16 text file", "save it as CSV UTF-8"},
		{"PAR1", "a Parquet file", "ask for the CSV or XLSX export"},
	}
	for _, k := range kinds {
		if bytes.HasPrefix(head, []byte(k.magic)) {
			return &FileError{Path: path, Expected: "a CSV or XLSX extract", Found: k.what, Hint: k.hint}
		}
	}
	if bytes.HasPrefix(head, []byte("PK\x03\x04")) {
		return nil
	}
	if bytes.HasPrefix(head, []byte("PK")) {
		return &FileError{Path: path, Expected: "a CSV or XLSX extract", Found: "a damaged or split zip archive",
			Hint: "deliver the XLSX file again"}
	}
	ctl := 0
	for _, c := range head {
		switch {
		case c == 0:
			return &FileError{Path: path, Expected: "a CSV or XLSX extract", Found: "binary data (NUL bytes) at the start of the file",
				Hint: "check that this is the extract; a CSV must be text (UTF-8 or Windows-1252)"}
		case c < 0x20 && c != '\t' && c != '\r' && c != '\n' && c != '\f':
			ctl++
		}
	}
	if ctl*20 > len(head) {
		return &FileError{Path: path, Expected: "a CSV or XLSX extract", Found: "binary data (control characters)",
			Hint: "check that this is the extract; a CSV must be text (UTF-8 or Windows-1252)"}
	}
	return nil
}
