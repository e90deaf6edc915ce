package pipeline

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/ciatteh/canvas/schema"
	"github.com/ciatteh/canvas/sources"
	"github.com/ciatteh/canvas/sources/all"
	"github.com/duckdb/duckdb-go/v2"
)

// File outcomes in the run log.
const (
	FileLoaded     = "loaded"
	FileQuarantine = "quarantine" // loaded, with rows in quarantine
	FileSkipped    = "skipped"    // already loaded (same SHA-256)
	FileRefused    = "refused"    // breaks the contract as a whole: nothing loaded
	FileFailed     = "failed"     // could not be loaded (I/O, store): nothing loaded
)

// LoadOptions says what to load.
type LoadOptions struct {
	Files  []string // delivery files, loaded in the order given
	Inbox  string   // a folder: every new file in it, in name order (delivery order)
	Source string   // force the source of every file ("" = recognise)
	Sheet  string   // XLSX sheet ("" = first with a header row)
	// Full rewrites rule D1's tables from the whole raw layer instead of only the records that
	// the new deliveries name (--full).
	Full bool
	// Progress receives progress events; nil for none.
	Progress func(ProgressEvent)
}

// ProgressEvent reports a file's loading progress.
type ProgressEvent struct {
	File             string
	Index, Files     int
	Bytes, Size      int64
	Rows             int64
	Elapsed          time.Duration
	Done             bool
	Outcome, Message string
}

// FileResult is the outcome of one input file.
type FileResult struct {
	Path, Name, SHA256, Source, Format, Encoding string
	Size                                         int64
	DeliveryID                                   int64
	Read, Loaded, Quarantined, Flagged           int64
	Outcome, Message                             string
	Reasons                                      map[string]int64 // quarantine reasons and their counts
	Seconds                                      float64
}

// LoadResult is the outcome of a load run.
type LoadResult struct {
	RunID   int64
	Files   []FileResult
	Outcome string
}

// Loaded reports whether the run loaded any new rows.
func (r LoadResult) Loaded() bool {
	for _, f := range r.Files {
		if f.Outcome == FileLoaded || f.Outcome == FileQuarantine {
			return true
		}
	}
	return false
}

// InboxFiles lists the delivery files of an inbox folder in delivery order (name order).
// Hidden files, folders, symbolic links and names that are not plain file names are left out
// and reported in skipped, with the reason.
func InboxFiles(dir string) (files []string, skipped map[string]string, err error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("reading inbox %s: %w", dir, err)
	}
	skipped = map[string]string{}
	for _, e := range entries {
		name := e.Name()
		switch {
		case strings.HasPrefix(name, "."):
			continue
		case e.Type()&os.ModeSymlink != 0:
			skipped[name] = "symbolic link: not followed; copy the file itself into the inbox"
			continue
		case e.IsDir():
			continue
		case !e.Type().IsRegular():
			skipped[name] = "not a regular file"
			continue
		case name != filepath.Base(name) || strings.ContainsAny(name, `/\`):
			skipped[name] = "not a plain file name"
			continue
		}
		ext := strings.ToLower(filepath.Ext(name))
		if ext != ".csv" && ext != ".xlsx" && ext != ".txt" && ext != ".tsv" {
			skipped[name] = "not a .csv, .tsv, .txt or .xlsx file"
			continue
		}
		files = append(files, filepath.Join(dir, name))
	}
	sort.Strings(files)
	return files, skipped, nil
}

// HashFile returns a file's SHA-256 (hex) and size.
func HashFile(path string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// Load runs the receive, check and raw-layer stages for a list of files or an inbox, then
// resolves versions (D1) for every delivery not yet resolved, this run's and those of a run killed
// before its resolve. Each file is loaded completely or not at all, in one transaction; a file
// already loaded (same SHA-256) is skipped. The caller holds the store's lock.
func Load(ctx context.Context, s *Store, runID int64, opt LoadOptions) (LoadResult, error) {
	res, err := loadDeliveries(ctx, s, runID, opt)
	if err != nil {
		return res, err
	}
	if _, err := s.Resolve(ctx, runID, opt.Full); err != nil {
		return res, err
	}
	res.Outcome = OutcomeOK
	for _, f := range res.Files {
		switch f.Outcome {
		case FileRefused, FileFailed:
			res.Outcome = OutcomeFailed
		case FileQuarantine:
			if res.Outcome == OutcomeOK {
				res.Outcome = OutcomeQuarantine
			}
		}
	}
	return res, nil
}

// loadDeliveries loads the files into the raw layer, each in its own transaction, and records
// them in the run log; it leaves rule D1 to the caller.
func loadDeliveries(ctx context.Context, s *Store, runID int64, opt LoadOptions) (LoadResult, error) {
	res := LoadResult{RunID: runID}
	files := append([]string{}, opt.Files...)
	var skippedNames map[string]string
	if opt.Inbox != "" {
		in, sk, err := InboxFiles(opt.Inbox)
		if err != nil {
			return res, err
		}
		files = append(files, in...)
		skippedNames = sk
	}
	if len(files) == 0 && len(skippedNames) == 0 {
		return res, errors.New("nothing to load: name delivery files, or an inbox folder with --inbox DIR")
	}
	seq := 0
	names := make([]string, 0, len(skippedNames))
	for n := range skippedNames {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		seq++
		fr := FileResult{Path: filepath.Join(opt.Inbox, n), Name: n, Outcome: FileRefused, Message: skippedNames[n]}
		res.Files = append(res.Files, fr)
		if err := s.recordInput(ctx, runID, seq, fr); err != nil {
			return res, err
		}
	}
	seen := map[string]bool{}
	for i, path := range files {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		seq++
		fr := s.loadFile(ctx, runID, path, i, len(files), seen, opt)
		res.Files = append(res.Files, fr)
		if fr.Outcome == FileFailed && ctx.Err() != nil {
			_ = s.recordInput(context.Background(), runID, seq, fr)
			return res, ctx.Err()
		}
		if err := s.recordInput(ctx, runID, seq, fr); err != nil {
			return res, err
		}
	}
	return res, nil
}

func (s *Store) recordInput(ctx context.Context, runID int64, seq int, f FileResult) error {
	var did any
	if f.DeliveryID != 0 {
		did = f.DeliveryID
	}
	_, err := s.DB.ExecContext(ctx, `INSERT INTO run_input (run_id, seq, path, name, sha256, size, source, format, encoding,
		rows_read, rows_loaded, rows_quarantined, rows_flagged, skipped, outcome, message, delivery_id, seconds)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		runID, seq, safeText(f.Path), safeText(f.Name), nullStr(f.SHA256), f.Size, nullStr(f.Source), nullStr(f.Format), nullStr(f.Encoding),
		f.Read, f.Loaded, f.Quarantined, f.Flagged, f.Outcome == FileSkipped, f.Outcome, nullStr(safeText(f.Message)), did, f.Seconds)
	if err != nil {
		return fmt.Errorf("run log: %w", err)
	}
	return nil
}

func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func (s *Store) loadFile(ctx context.Context, runID int64, path string, idx, n int, seen map[string]bool, opt LoadOptions) FileResult {
	start := time.Now()
	fr := FileResult{Path: path, Name: filepath.Base(path)}
	finish := func(outcome, msg string) FileResult {
		fr.Outcome, fr.Message = outcome, msg
		fr.Seconds = time.Since(start).Seconds()
		if opt.Progress != nil {
			opt.Progress(ProgressEvent{File: fr.Name, Index: idx, Files: n, Bytes: fr.Size, Size: fr.Size,
				Rows: fr.Read, Elapsed: time.Since(start), Done: true, Outcome: outcome, Message: msg})
		}
		return fr
	}
	if err := regularFile(path); err != nil {
		return finish(FileRefused, err.Error())
	}
	sum, size, err := HashFile(path)
	if err != nil {
		return finish(FileFailed, fmt.Sprintf("reading %s: %v", path, err))
	}
	fr.SHA256, fr.Size = sum, size
	if seen[sum] {
		return finish(FileSkipped, "same content as another file of this run: loaded once")
	}
	seen[sum] = true
	var prevRun int64
	var prevName string
	err = s.DB.QueryRowContext(ctx, `SELECT run_id, name FROM delivery WHERE sha256 = ?`, sum).Scan(&prevRun, &prevName)
	if err == nil {
		return finish(FileSkipped, fmt.Sprintf("already loaded by run %d as %s (same SHA-256): nothing to do", prevRun, prevName))
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return finish(FileFailed, fmt.Sprintf("restricted store: %v", err))
	}
	if err := s.loadDelivery(ctx, runID, path, &fr, idx, n, start, opt); err != nil {
		var fe *sources.FileError
		if errors.As(err, &fe) {
			fr.Loaded, fr.Quarantined, fr.Flagged, fr.DeliveryID = 0, 0, 0, 0
			return finish(FileRefused, fe.Error())
		}
		fr.Loaded, fr.Quarantined, fr.Flagged, fr.DeliveryID = 0, 0, 0, 0
		return finish(FileFailed, err.Error())
	}
	if fr.Quarantined > 0 {
		return finish(FileQuarantine, fmt.Sprintf("%d rows in quarantine", fr.Quarantined))
	}
	return finish(FileLoaded, "")
}

// loadDelivery reads one file and writes it in one transaction: delivery row, raw rows,
// quarantine rows. On any error the transaction is rolled back and nothing of the file remains.
func (s *Store) loadDelivery(ctx context.Context, runID int64, path string, fr *FileResult, idx, n int, start time.Time, opt LoadOptions) (err error) {
	conn, err := s.DB.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	var deliveryID int64
	if err := conn.QueryRowContext(ctx, `SELECT nextval('delivery_seq')`).Scan(&deliveryID); err != nil {
		return err
	}
	rd, err := sources.Open(ctx, path, all.Adapters(), sources.Options{
		Source: opt.Source, Sheet: opt.Sheet, Codes: s.Codes, RunID: runID, DeliveryID: deliveryID,
	})
	if err != nil {
		return err
	}
	defer rd.Close()
	d := rd.Delivery()
	fr.Source, fr.Format, fr.Encoding = d.Source, d.Format, d.Encoding
	src := schema.SourceByName(d.Source)
	if src == nil {
		return fmt.Errorf("%s: reader returned unknown source %q", path, d.Source)
	}
	if _, err := conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		return err
	}
	committed := false
	defer func() {
		if !committed {
			_, _ = conn.ExecContext(context.Background(), "ROLLBACK")
		}
	}()
	var quar *duckdb.Appender
	err = conn.Raw(func(dc any) error {
		var e error
		quar, e = duckdb.NewAppenderFromConn(dc.(driver.Conn), "", "quarantine")
		return e
	})
	if err != nil {
		return fmt.Errorf("restricted store: %w", err)
	}
	closed := false
	defer func() {
		if !closed {
			quar.Close()
		}
	}()
	s.removeLoadTmp()
	raw, err := s.newRawWriter(conn, src.Table, src.RecordSchema())
	if err != nil {
		return fmt.Errorf("restricted store: %w", err)
	}
	defer raw.Close()
	fr.DeliveryID = deliveryID
	fr.Reasons = map[string]int64{}
	lastReport := time.Time{}
	for {
		b, err := rd.Next(ctx)
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		fr.Read += int64(b.Read)
		fr.Flagged += int64(b.Flagged)
		if b.Record != nil {
			if err := raw.Write(ctx, b.Record); err != nil {
				b.Record.Release()
				return fmt.Errorf("writing raw rows: %w", err)
			}
			fr.Loaded += b.Record.NumRows()
			b.Record.Release()
		}
		if len(b.Quarantine) > 0 {
			// The raw writer may be inserting on the connection: append while it does not.
			err := raw.Do(func() error {
				for _, q := range b.Quarantine {
					fr.Quarantined++
					fr.Reasons[ReasonKey(q.Reason)]++
					if err := quar.AppendRow(runID, deliveryID, d.Source, safeText(fr.Name), nullStr(safeText(q.Sheet)), q.Line,
						nullStr(q.Column), nullStr(safeText(q.Value)), safeText(q.Reason), nullStr(safeText(q.Raw))); err != nil {
						return fmt.Errorf("writing quarantine: %w", err)
					}
				}
				return nil
			})
			if err != nil {
				return err
			}
		}
		if opt.Progress != nil && time.Since(lastReport) > 200*time.Millisecond {
			lastReport = time.Now()
			opt.Progress(ProgressEvent{File: fr.Name, Index: idx, Files: n, Bytes: rd.BytesRead(), Size: fr.Size,
				Rows: fr.Read, Elapsed: time.Since(start)})
		}
	}
	if fr.Loaded+fr.Quarantined != fr.Read {
		return fmt.Errorf("%s: %d rows read but %d loaded and %d quarantined: refusing to load an inconsistent file (a bug: please report it)",
			path, fr.Read, fr.Loaded, fr.Quarantined)
	}
	if err := raw.Flush(ctx); err != nil {
		return fmt.Errorf("writing raw rows: %w", err)
	}
	closed = true
	if err := quar.Close(); err != nil {
		return fmt.Errorf("writing quarantine: %w", err)
	}
	header, _ := json.Marshal(d.Header)
	if _, err := conn.ExecContext(ctx, `INSERT INTO delivery (delivery_id, run_id, sha256, name, path, size, source, format,
		encoding, delimiter, sheet, header_line, header, loaded_at, rows_read, rows_loaded, rows_quarantined, rows_flagged)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		deliveryID, runID, fr.SHA256, safeText(fr.Name), safeText(path), fr.Size, d.Source, d.Format, nullStr(d.Encoding), nullStr(d.Delimiter),
		nullStr(safeText(d.Sheet)), d.HeaderLine, safeText(string(header)), time.Now().UTC(), fr.Read, fr.Loaded, fr.Quarantined, fr.Flagged); err != nil {
		return fmt.Errorf("recording delivery: %w", err)
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		return fmt.Errorf("committing %s: %w", path, err)
	}
	committed = true
	return nil
}

// appendRecord writes an Arrow record of the canonical schema through a DuckDB appender.
func appendRecord(app *duckdb.Appender, rec arrow.Record, row []driver.Value) error {
	cols := rec.Columns()
	nrows := int(rec.NumRows())
	for i := 0; i < nrows; i++ {
		for c, col := range cols {
			if col.IsNull(i) {
				row[c] = nil
				continue
			}
			switch a := col.(type) {
			case *array.String:
				row[c] = a.Value(i)
			case *array.Int64:
				row[c] = a.Value(i)
			case *array.Float64:
				row[c] = a.Value(i)
			case *array.Date32:
				row[c] = a.Value(i).ToTime()
			case *array.Boolean:
				row[c] = a.Value(i)
			default:
				return fmt.Errorf("column %d: unsupported Arrow type %s", c, col.DataType())
			}
		}
		if err := app.AppendRow(row...); err != nil {
			return err
		}
	}
	return nil
}

// safeText makes a text from outside (a file name, a cell) storable: invalid UTF-8 becomes U+FFFD.
func safeText(s string) string { return strings.ToValidUTF8(s, "\uFFFD") }

// regularFile refuses what is not a regular file (a device, a pipe, a folder), which would block
// a load or never end.
func regularFile(path string) error {
	st, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if !st.Mode().IsRegular() {
		kind := "not a regular file"
		switch {
		case st.IsDir():
			kind = "a folder"
		case st.Mode()&os.ModeNamedPipe != 0:
			kind = "a named pipe"
		case st.Mode()&os.ModeDevice != 0:
			kind = "a device"
		}
		return fmt.Errorf("%s is %s, not a delivery file: name the CSV or XLSX file itself (use --inbox for a folder)", path, kind)
	}
	return nil
}
