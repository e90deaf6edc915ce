package sources

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/transform"
)

// Encodings of CSV deliveries.
const (
	EncodingUTF8        = "utf-8"
	EncodingUTF8BOM     = "utf-8-bom"
	EncodingWindows1252 = "windows-1252"
)

const (
	readBufSize   = 256 << 10
	prefixMax     = 1 << 20 // bytes searched for the header row
	maxStoredCols = 4096    // fields kept per header candidate row
	extraFieldCap = 64      // fields kept beyond the header's
)

// utf8BOM is the UTF-8 byte order mark.
const utf8BOM = "\xEF\xBB\xBF"

// csvReader reads a CSV delivery.
type csvReader struct {
	del     Delivery
	f       *os.File
	counter *countingReader
	sc      *csvScanner
	conv    *converter
	opt     *Options
	in      rowInput
	block   []scanned
	fields  []string
	done    bool
}

// detectEncoding reads the whole file once: UTF-8 (with or without BOM) when every byte
// sequence is valid UTF-8, else Windows-1252. The pass is streaming and cheap next to parsing.
func detectEncoding(ctx context.Context, f *os.File) (string, error) {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return "", err
	}
	buf := make([]byte, readBufSize)
	carry := 0
	first := true
	enc := EncodingUTF8
	for {
		if err := ctx.Err(); err != nil {
			return "", err
		}
		n, err := f.Read(buf[carry:])
		n += carry
		chunk := buf[:n]
		if first && n >= 3 {
			first = false
			if bytes.HasPrefix(chunk, []byte(utf8BOM)) {
				enc = EncodingUTF8BOM
			}
		}
		// keep an incomplete trailing rune for the next read
		cut := n
		if err == nil {
			for k := n - 1; k >= 0 && k >= n-3; k-- {
				if c := chunk[k]; c&0xC0 != 0x80 {
					if c >= 0xC0 && k+utf8Len(c) > n {
						cut = k
					}
					break
				}
			}
		}
		if !utf8.Valid(chunk[:cut]) {
			return EncodingWindows1252, nil
		}
		carry = copy(buf, chunk[cut:n])
		if err != nil {
			if errors.Is(err, io.EOF) {
				if carry > 0 && !utf8.Valid(buf[:carry]) {
					return EncodingWindows1252, nil
				}
				return enc, nil
			}
			return "", err
		}
	}
}

func utf8Len(c byte) int {
	switch {
	case c >= 0xF0:
		return 4
	case c >= 0xE0:
		return 3
	default:
		return 2
	}
}

// countingReader counts the bytes read from the file, for progress.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// decodedStream returns the file's text from its start as UTF-8, without BOM.
func decodedStream(f *os.File, enc string) (io.Reader, *countingReader, error) {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, nil, err
	}
	cr := &countingReader{r: f}
	switch enc {
	case EncodingUTF8BOM:
		var bom [3]byte
		if _, err := io.ReadFull(cr, bom[:]); err != nil {
			return nil, nil, err
		}
		return cr, cr, nil
	case EncodingWindows1252:
		// a BOM on a file that is not UTF-8 after all is dropped, not read as "ï»¿"
		var head [3]byte
		n, err := io.ReadFull(cr, head[:])
		if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
			return nil, nil, err
		}
		var r io.Reader = cr
		if string(head[:n]) != utf8BOM {
			r = io.MultiReader(bytes.NewReader(append([]byte(nil), head[:n]...)), cr)
		}
		return transform.NewReader(r, charmap.Windows1252.NewDecoder()), cr, nil
	}
	return cr, cr, nil
}

func openCSV(ctx context.Context, o *opener, f *os.File) (r Reader, err error) {
	defer func() {
		if err != nil {
			f.Close()
		}
	}()
	enc, err := detectEncoding(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("read delivery %s: %w", o.path, err)
	}
	stream, _, err := decodedStream(f, enc)
	if err != nil {
		return nil, fmt.Errorf("read delivery %s: %w", o.path, err)
	}
	prefix, err := readPrefix(stream)
	if err != nil {
		return nil, fmt.Errorf("read delivery %s: %w", o.path, err)
	}
	if len(bytes.TrimSpace(prefix)) == 0 {
		return nil, &FileError{Path: o.path, Expected: "a CSV extract with a header row", Found: "no text (only blank lines)",
			Hint: "the export failed or was cut: ask the partner to deliver the file again"}
	}
	delim, headerLine, header, match, ferr := findCSVHeader(o, prefix)
	if ferr != nil {
		return nil, ferr
	}
	stream, counter, err := decodedStream(f, enc)
	if err != nil {
		return nil, fmt.Errorf("read delivery %s: %w", o.path, err)
	}
	sc := newCSVScanner(stream, delim, o.opt.MaxFieldBytes, len(header)+extraFieldCap)
	for {
		ok, err := sc.next()
		if err != nil {
			return nil, csvError(o.path, err)
		}
		if !ok {
			return nil, fmt.Errorf("read delivery %s: header row at line %d not found again", o.path, headerLine)
		}
		if sc.start >= headerLine {
			break
		}
	}
	sc.reset()
	ad := o.adapterOf(match.src.Name)
	conv := newConverter(match.src, ad, o.opt.Codes, o.opt, match, header)
	conv.maxField = o.opt.MaxFieldBytes
	cr := &csvReader{f: f, counter: counter, sc: sc, conv: conv, opt: o.opt}
	cr.in.delim = delim
	cr.del = Delivery{Path: o.path, Name: filepath.Base(o.path), Source: match.src.Name, Format: "csv", Encoding: enc,
		Delimiter: string(delim), HeaderLine: int(headerLine), Header: header}
	cr.del.Mapping, cr.del.Extra = deliveryMapping(match, header, conv)
	return cr, nil
}

// deliveryMapping describes the header mapping for Delivery.
func deliveryMapping(m *headerMatch, header []string, conv *converter) (map[string]string, []string) {
	mapping := map[string]string{}
	for i, j := range m.colOf {
		if j >= 0 {
			mapping[header[j]] = m.src.Columns[i].Name
		}
	}
	var extra []string
	for k, j := range conv.extraIdx {
		if j < len(header) && header[j] != "" {
			extra = append(extra, conv.extraNames[k])
		}
	}
	return mapping, extra
}

// readPrefix reads the beginning of the text in which the header row is searched: up to 50
// lines, at most 1 MiB.
func readPrefix(r io.Reader) ([]byte, error) {
	buf := make([]byte, 0, 64<<10)
	lines := 0
	for len(buf) < prefixMax {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):min(cap(buf), prefixMax)])
		for i, c := range buf[len(buf) : len(buf)+n] {
			if c == '\n' {
				lines++
				if lines == headerScanRows+20 { // slack for quoted line breaks in a title block
					return buf[:len(buf)+i+1], nil
				}
			}
		}
		buf = buf[:len(buf)+n]
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	return buf, nil
}

// findCSVHeader finds the delimiter and the header row: for each delimiter, the first row among
// the first 50 that holds most of a source's required columns; the delimiter whose header row
// comes first (then matches more columns) wins.
func findCSVHeader(o *opener, prefix []byte) (delim byte, line int64, header []string, m *headerMatch, ferr *FileError) {
	type cand struct {
		delim  byte
		line   int64
		fields []string
		best   *headerMatch
	}
	var pick *cand
	var closest *cand // best non-header row, for the refusal message
	for _, d := range []byte{';', ',', '\t'} {
		sc := newCSVScanner(bytes.NewReader(prefix), d, prefixMax, maxStoredCols)
		for rows := 0; rows < headerScanRows; {
			ok, err := sc.next()
			if err != nil || !ok {
				break
			}
			if sc.blank() {
				continue
			}
			rows++
			fields := append([]string(nil), sc.strings()...)
			bm := bestMatch(o.idx, fields)
			if o.claimed != "" {
				// a row with most of the claimed source's columns is a header row too
				for _, h := range o.idx {
					if h.src.Name == o.claimed {
						if cm := h.match(fields); cm.isHeader() && !bm.isHeader() {
							bm = cm
						}
					}
				}
			}
			c := &cand{delim: d, line: sc.start, fields: fields, best: bm}
			if bm.isHeader() {
				if pick == nil || c.line < pick.line || (c.line == pick.line && bm.foundAll > pick.best.foundAll) {
					pick = c
				}
				break
			}
			if closest == nil || bm.score() > closest.best.score() ||
				(bm.score() == closest.best.score() && len(fields) > len(closest.fields)) {
				closest = c
			}
		}
	}
	if pick == nil {
		if closest == nil {
			return 0, 0, nil, nil, &FileError{Path: o.path, Expected: "a CSV extract with a header row", Found: "no rows",
				Hint: "ask the partner to deliver the file again"}
		}
		return 0, 0, nil, nil, noHeader(o.path, o.idx, closest.fields, o.claimed, o.claimedBy)
	}
	m, ferr = recognise(o.path, o.idx, pick.fields, o.claimed, o.claimedBy)
	if ferr != nil {
		return 0, 0, nil, nil, ferr
	}
	return pick.delim, pick.line, pick.fields, m, nil
}

func (r *csvReader) Delivery() Delivery { return r.del }

func (r *csvReader) BytesRead() int64 { return r.counter.n }

func (r *csvReader) Close() error {
	if r.conv != nil {
		r.conv.release()
		r.conv = nil
	}
	if r.f == nil {
		return nil
	}
	err := r.f.Close()
	r.f = nil
	return err
}

// Rows are scanned in blocks: the fields of a block become one string (one allocation per
// block, not per row), bounded in rows and bytes.
const (
	blockRows  = 128
	blockBytes = 128 << 10
)

// scanned is one record of a block.
type scanned struct {
	line             int64
	fieldFrom        int // offset of its first field in the block
	endsFrom, endsTo int
	nFields, tooLong int
	nul              bool
}

func (r *csvReader) Next(ctx context.Context) (*Batch, error) {
	if r.done || r.conv == nil {
		return nil, io.EOF
	}
	b := &Batch{}
	r.conv.reserve(r.opt.BatchSize)
	for b.Read < r.opt.BatchSize && !r.done {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		sc := r.sc
		sc.reset()
		r.block = r.block[:0]
		for len(r.block) < blockRows && b.Read+len(r.block) < r.opt.BatchSize && len(sc.field) < blockBytes {
			ok, err := sc.next()
			if err != nil {
				r.done = true
				rec := r.conv.flush()
				rec.Release()
				return nil, csvError(r.del.Path, err)
			}
			if !ok {
				r.done = true
				break
			}
			if sc.blank() {
				sc.drop()
				continue
			}
			rec := scanned{line: sc.start, fieldFrom: sc.rowStart, endsFrom: sc.endsStart, endsTo: len(sc.ends),
				nFields: sc.nFields, tooLong: sc.tooLong, nul: sc.nul}
			if sc.rowTooLong && rec.tooLong < 0 {
				rec.tooLong = max(0, rec.endsTo-rec.endsFrom-1)
			}
			r.block = append(r.block, rec)
		}
		blk := string(sc.field)
		for _, rec := range r.block {
			fields := r.fields[:0]
			prev := rec.fieldFrom
			for _, e := range sc.ends[rec.endsFrom:rec.endsTo] {
				fields = append(fields, blk[prev:e])
				prev = e
			}
			r.fields = fields
			in := &r.in
			in.fields, in.nFields, in.line, in.tooLong, in.nul = fields, rec.nFields, rec.line, rec.tooLong, rec.nul
			b.Read++
			q, flagged := r.conv.convert(in)
			if q != nil {
				b.Quarantine = append(b.Quarantine, *q)
			} else if flagged {
				b.Flagged++
			}
		}
	}
	if b.Read == 0 {
		return nil, io.EOF
	}
	b.Record = r.conv.flush()
	return b, nil
}

// errUnterminated is an opening quote never closed: the rest of the file would be one field.
type errUnterminated struct{ line int64 }

func (e errUnterminated) Error() string {
	return fmt.Sprintf("a quoted field opened at line %d is never closed", e.line)
}

func csvError(path string, err error) error {
	var u errUnterminated
	if errors.As(err, &u) {
		return &FileError{Path: path, Expected: "RFC 4180 CSV: every opening quote closed", Found: u.Error(),
			Hint: fmt.Sprintf("fix the stray quote near line %d (a quote inside a field is written twice: \"\") and deliver the file again", u.line)}
	}
	return fmt.Errorf("read delivery %s: %w", path, err)
}

// csvScanner splits RFC 4180 CSV into records with bounded memory, tracking physical lines.
// Lenient where exports are sloppy: a quote inside an unquoted field, or text after a closing
// quote, is kept as text. CRLF, LF and lone CR end a record outside quotes.
type csvScanner struct {
	r        io.Reader
	buf      []byte
	pos, end int
	eof      bool
	err      error
	delim    byte
	special  [256]bool
	maxField int
	maxRow   int
	keep     int // fields kept per record

	slowOnly   bool  // tests: no fast path
	rowStart   int   // where the current record starts in field
	endsStart  int   // where the current record starts in ends
	line       int64 // line of the next byte
	start      int64 // line where the current record starts
	field      []byte
	ends       []int
	nFields    int
	quoted     bool // some field of the record was quoted
	tooLong    int  // index of the first too-long field, -1
	rowTooLong bool
	nul        bool
	curLen     int // bytes of the current field so far
	out        []string
}

func newCSVScanner(r io.Reader, delim byte, maxField, keep int) *csvScanner {
	s := &csvScanner{r: r, buf: make([]byte, readBufSize), delim: delim, maxField: maxField, keep: keep, line: 1}
	s.maxRow = 4 * maxField
	if s.maxRow < 1<<20 {
		s.maxRow = 1 << 20
	}
	for _, c := range []byte{delim, '\n', '\r', 0} {
		s.special[c] = true
	}
	return s
}

// fill reads more input once the buffer is consumed; false at the end (or on error, in s.err).
func (s *csvScanner) fill() bool {
	if s.pos < s.end {
		return true
	}
	for !s.eof {
		n, err := s.r.Read(s.buf)
		s.pos, s.end = 0, n
		if err != nil {
			s.eof = true
			if !errors.Is(err, io.EOF) {
				s.err = err
				return false
			}
		}
		if n > 0 {
			return true
		}
	}
	return false
}

func (s *csvScanner) appendField(p []byte) {
	if s.tooLong >= 0 || s.rowTooLong {
		s.curLen += len(p)
		return
	}
	if s.curLen+len(p) > s.maxField {
		s.tooLong = s.nFields
		room := s.maxField - s.curLen
		if room > 0 && s.nFields < s.keep {
			s.field = append(s.field, p[:runeStart(p, room)]...)
		}
		s.curLen += len(p)
		return
	}
	s.curLen += len(p)
	if s.nFields >= s.keep {
		return
	}
	if len(s.field)-s.rowStart+len(p) > s.maxRow {
		s.rowTooLong = true
		return
	}
	s.field = append(s.field, p...)
}

// runeStart backs n off to the start of a UTF-8 sequence, so a cut never splits a character.
func runeStart[T string | []byte](p T, n int) int {
	for k := 0; k < utf8.UTFMax && n > 0 && n < len(p) && !utf8.RuneStart(p[n]); k++ {
		n--
	}
	return n
}

func (s *csvScanner) endField() {
	if s.nFields < s.keep {
		s.ends = append(s.ends, len(s.field))
	}
	s.nFields++
	s.curLen = 0
}

// next reads the next record; false at the end of the input.
func (s *csvScanner) next() (bool, error) {
	s.rowStart, s.endsStart = len(s.field), len(s.ends)
	s.nFields, s.quoted, s.tooLong, s.rowTooLong, s.nul, s.curLen = 0, false, -1, false, false, 0
	s.start = s.line
	if !s.fill() {
		return false, s.err
	}
	if !s.slowOnly && s.simpleLine() {
		return true, nil
	}
	for {
		// start of a field
		if !s.fill() {
			s.endField()
			return true, s.err
		}
		if s.buf[s.pos] == '"' {
			s.quoted = true
			s.pos++
			openLine := s.line
			for {
				if !s.fill() {
					if s.err != nil {
						return false, s.err
					}
					return false, errUnterminated{line: openLine}
				}
				chunk := s.buf[s.pos:s.end]
				i := bytes.IndexByte(chunk, '"')
				if i >= 0 {
					chunk = chunk[:i]
				}
				s.line += int64(bytes.Count(chunk, []byte{'\n'}))
				if !s.nul && bytes.IndexByte(chunk, 0) >= 0 {
					s.nul = true
				}
				s.appendField(chunk)
				if i < 0 {
					s.pos = s.end
					continue
				}
				s.pos += i + 1
				if !s.fill() {
					s.endField()
					return true, s.err
				}
				if s.buf[s.pos] == '"' {
					s.appendField(s.buf[s.pos : s.pos+1])
					s.pos++
					continue
				}
				break
			}
		}
		// unquoted (part of a) field
		for {
			if !s.fill() {
				s.endField()
				return true, s.err
			}
			chunk := s.buf[s.pos:s.end]
			i := 0
			for i < len(chunk) && !s.special[chunk[i]] {
				i++
			}
			s.appendField(chunk[:i])
			s.pos += i
			if i == len(chunk) {
				continue
			}
			c := chunk[i]
			s.pos++
			switch c {
			case 0:
				s.nul = true // kept: the row is quarantined, its raw text shows it
				s.appendField(chunk[i : i+1])
				continue
			case '\n':
				s.line++
				s.endField()
				return true, nil
			case '\r':
				s.line++
				s.endField()
				if s.fill() && s.buf[s.pos] == '\n' {
					s.pos++
				}
				return true, s.err
			}
			// the delimiter
			s.endField()
			break
		}
	}
}

// simpleLine is the fast path of next: a whole line in the buffer without quotes, NUL bytes or
// a lone CR is split with bytes.IndexByte. Anything else is left to the state machine.
func (s *csvScanner) simpleLine() bool {
	buf := s.buf[s.pos:s.end]
	eol := bytes.IndexByte(buf, '\n')
	if eol < 0 {
		return false
	}
	line := buf[:eol]
	if bytes.IndexByte(line, '"') >= 0 || bytes.IndexByte(line, 0) >= 0 {
		return false
	}
	if cr := bytes.IndexByte(line, '\r'); cr >= 0 {
		if cr != len(line)-1 {
			return false // a lone CR ends a record: the state machine handles it
		}
		line = line[:cr]
	}
	for {
		i := bytes.IndexByte(line, s.delim)
		if i < 0 {
			s.appendField(line)
			s.endField()
			break
		}
		s.appendField(line[:i])
		s.endField()
		line = line[i+1:]
	}
	s.pos += eol + 1
	s.line++
	return true
}

// blank reports a record without content: an empty line, or only delimiters and spaces.
func (s *csvScanner) blank() bool {
	row := s.field[s.rowStart:]
	if s.nFields == 1 && len(row) == 0 && !s.quoted {
		return true
	}
	if s.tooLong >= 0 || s.rowTooLong || s.nFields > len(s.ends)-s.endsStart {
		return false
	}
	for _, c := range row {
		if c != ' ' && c != '\t' {
			return false
		}
	}
	return true
}

// drop forgets the bytes of the current record (a blank one).
func (s *csvScanner) drop() {
	s.field, s.ends = s.field[:s.rowStart], s.ends[:s.endsStart]
}

// reset forgets the records kept so far: the scanner keeps the fields of consecutive records in
// one buffer, so that a block of rows becomes one string.
func (s *csvScanner) reset() {
	s.field, s.ends = s.field[:0], s.ends[:0]
}

// strings returns the kept fields of the current record; they share one allocation.
func (s *csvScanner) strings() []string {
	row := string(s.field[s.rowStart:])
	s.out = s.out[:0]
	prev := 0
	for _, e := range s.ends[s.endsStart:] {
		e -= s.rowStart
		s.out = append(s.out, row[prev:e])
		prev = e
	}
	return s.out
}
