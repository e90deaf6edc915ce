package sources

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/ciatteh/canvas/schema"
)

// Value is one converted value of a row, as an adapter sees it in CheckRow.
type Value struct {
	// Raw is the value as delivered, trimmed ("" when empty).
	Raw string
	// Null is true when the value is empty, or was rejected (unparseable optional value).
	Null bool
	// Text is the canonical text of string-typed columns: text as delivered, the canonical enum
	// value, the code, the alpha-2 country, the 11 digits of a national number, the list
	// re-joined with '|'.
	Text  string
	Int   int64   // Int columns
	Float float64 // Decimal columns
	Date  int32   // Date columns: days since 1970-01-01 (Arrow date32)
	// Century is the century (1900 or 2000) the check digits of a national number imply.
	Century int
}

// Time returns a Date value as a time.Time (UTC midnight).
func (v *Value) Time() time.Time {
	y, m, d := civilFromDays(v.Date)
	return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
}

// CheckedRow is one data row after generic conversion, handed to Adapter.CheckRow. Values are
// indexed like Source.Columns; the Value methods look them up by canonical column name.
type CheckedRow struct {
	Source *schema.Source
	Sheet  string // XLSX sheet, "" for CSV
	Line   int64  // physical line (CSV) or spreadsheet row (XLSX) where the row starts
	Now    time.Time
	Values []Value
	// Offence is the canvas offence code the row's agency offence code maps to.
	Offence string

	index       map[string]int
	flags       []string
	quarantined bool
	qColumn     string
	qValue      string
	qReasons    []string
}

// ColumnIndex returns the index of a canonical column in Source.Columns (and so in
// CheckedRow.Values), or -1. Adapters resolve their columns once with it.
func ColumnIndex(src *schema.Source, column string) int {
	for i, c := range src.Columns {
		if c.Name == column {
			return i
		}
	}
	return -1
}

// At returns the value at a column index from ColumnIndex (nil for -1).
func (r *CheckedRow) At(i int) *Value {
	if i < 0 || i >= len(r.Values) {
		return nil
	}
	return &r.Values[i]
}

// Value returns the value of a canonical column, or nil when the source has no such column.
func (r *CheckedRow) Value(column string) *Value {
	i, ok := r.index[column]
	if !ok {
		return nil
	}
	return &r.Values[i]
}

// Has reports whether a column holds a (valid, non-null) value.
func (r *CheckedRow) Has(column string) bool {
	v := r.Value(column)
	return v != nil && !v.Null
}

// Text returns the canonical text of a column ("" when null or absent).
func (r *CheckedRow) Text(column string) string {
	if v := r.Value(column); v != nil && !v.Null {
		return v.Text
	}
	return ""
}

// Flag adds a data-quality flag "column: problem (value)" to the row; the value is kept.
func (r *CheckedRow) Flag(column, problem string) {
	raw := ""
	if v := r.Value(column); v != nil {
		raw = v.Raw
	}
	r.flags = append(r.flags, flagText(column, problem, raw))
}

// Reject flags an optional value and nulls it: the row is loaded, the value counts as unknown.
// A required value cannot be null: rejecting one quarantines the row.
func (r *CheckedRow) Reject(column, problem string) {
	i, ok := r.index[column]
	if ok && r.Source.Columns[i].Required {
		r.Quarantine(column, problem)
		return
	}
	r.Flag(column, problem)
	if ok {
		r.Values[i].Null = true
	}
}

// Quarantine sends the row to quarantine: it will not be loaded. The first call names the
// column and value reported; later calls add their reasons.
func (r *CheckedRow) Quarantine(column, reason string) {
	val := ""
	if v := r.Value(column); v != nil {
		val = v.Raw
	}
	r.quarantine(column, val, reason)
}

func (r *CheckedRow) quarantine(column, value, reason string) {
	if !r.quarantined {
		r.quarantined = true
		r.qColumn, r.qValue = column, value
		r.qReasons = append(r.qReasons, reason)
		return
	}
	if column != "" {
		reason = column + ": " + reason
		if value != "" {
			reason += " (" + value + ")"
		}
	}
	r.qReasons = append(r.qReasons, reason)
}

// Quarantined reports whether the row goes to quarantine.
func (r *CheckedRow) Quarantined() bool { return r.quarantined }

// Flags returns the row's data-quality flags so far.
func (r *CheckedRow) Flags() []string { return r.flags }

func flagText(column, problem, raw string) string {
	if raw == "" {
		return column + ": " + problem
	}
	return column + ": " + problem + " (" + raw + ")"
}

// memo caches the canonical form of repeated spellings (enum values, codes, countries); a
// delivery repeats a handful of spellings a million times. The first few are searched linearly,
// which beats hashing for short lists.
type memo struct {
	few []memoEntry
	m   map[string]memoEntry
}

type memoEntry struct {
	raw string
	val string
	ok  bool
}

const (
	memoFew = 12
	memoMax = 4096
)

func (c *memo) get(s string) (memoEntry, bool) {
	for i := range c.few {
		if c.few[i].raw == s {
			return c.few[i], true
		}
	}
	if c.m == nil {
		return memoEntry{}, false
	}
	e, ok := c.m[s]
	return e, ok
}

func (c *memo) put(s string, e memoEntry) {
	e.raw = strings.Clone(s)
	if len(c.few) < memoFew {
		c.few = append(c.few, e)
		return
	}
	if c.m == nil {
		c.m = map[string]memoEntry{}
	}
	if len(c.m) < memoMax {
		c.m[e.raw] = e
	}
}

type offenceRule struct {
	offence  string
	from, to int32 // days; math.MinInt32 / MaxInt32 when open
}

// converter turns delivered rows into canonical records of one source: the generic checks of
// extracts.md, the adapter's checks, and the Arrow builders.
type converter struct {
	src        *schema.Source
	adapter    Adapter
	codes      *schema.Codes
	runID      int64
	deliveryID int64
	sheet      string
	serial     bool // XLSX: numbers are spreadsheet numbers (serial dates)
	date1904   bool
	maxField   int

	nHeader     int   // fields in the header row
	colOf       []int // per source column: delivered field index or -1
	extraIdx    []int
	extraNames  []string
	memos       []memo
	enumProblem []string // per Enum column: the problem text of an unknown value
	offences    map[string][]offenceRule
	offenceCol  int
	offDateCol  []int // date columns tried, in order, for the offence code's validity
	birthYear   int   // column index of birth_year or -1
	birthDate   int   // column index of birth_date or -1

	row      CheckedRow
	bld      *array.RecordBuilder
	nRows    int
	lineage  [4]array.Builder
	cols     []array.Builder
	derived  [3]*array.StringBuilder
	scratch  []byte
	dataHint []int // string bytes per column in the last batch
}

func newConverter(src *schema.Source, ad Adapter, codes *schema.Codes, opt *Options, m *headerMatch, header []string) *converter {
	c := &converter{src: src, adapter: ad, codes: codes, runID: opt.RunID, deliveryID: opt.DeliveryID,
		maxField: opt.MaxFieldBytes, nHeader: len(header), colOf: m.colOf, memos: make([]memo, len(src.Columns)),
		offenceCol: -1, birthYear: -1, birthDate: -1}
	seen := map[string]int{}
	for _, j := range append(append([]int{}, m.extra...), m.dup...) {
		name := strings.TrimSpace(header[j])
		seen[name]++
		if seen[name] > 1 {
			name = fmt.Sprintf("%s#%d", name, seen[name])
		}
		c.extraIdx = append(c.extraIdx, j)
		c.extraNames = append(c.extraNames, name)
	}
	// unnamed columns: kept in extra only when they hold something
	for j, h := range header {
		if strings.TrimSpace(h) == "" {
			c.extraIdx = append(c.extraIdx, j)
			c.extraNames = append(c.extraNames, fmt.Sprintf("column_%d", j+1))
		}
	}
	c.row = CheckedRow{Source: src, Now: opt.Now, Values: make([]Value, len(src.Columns)), index: map[string]int{}}
	c.enumProblem = make([]string, len(src.Columns))
	for i, col := range src.Columns {
		c.row.index[col.Name] = i
		if col.Kind == schema.Enum {
			c.enumProblem[i] = "unknown value, expected one of " + canonicalValues(col.Values)
		}
		switch {
		case col.Kind == schema.Code && col.CodeList == "offences" && c.offenceCol < 0:
			c.offenceCol = i
		case col.Name == "birth_year":
			c.birthYear = i
		case col.Name == "birth_date":
			c.birthDate = i
		}
	}
	// The offence code is mapped as in force on the date of the facts when given, else on the
	// source's first required date (registration_date, entry_date, judgment_date).
	for _, n := range []string{"fact_date", "offence_date"} {
		if i, ok := c.row.index[n]; ok {
			c.offDateCol = append(c.offDateCol, i)
		}
	}
	for i, col := range src.Columns {
		if col.Kind == schema.Date && col.Required {
			c.offDateCol = append(c.offDateCol, i)
			break
		}
	}
	c.offences = map[string][]offenceRule{}
	for _, om := range codes.OffenceMap {
		if om.Source != src.Name {
			continue
		}
		r := offenceRule{offence: om.Offence, from: math.MinInt32, to: math.MaxInt32}
		if !om.ValidFrom.IsZero() {
			r.from = int32(om.ValidFrom.Unix() / 86400)
		}
		if !om.ValidTo.IsZero() {
			r.to = int32(om.ValidTo.Unix() / 86400)
		}
		k := strings.ToUpper(om.SourceCode)
		c.offences[k] = append(c.offences[k], r)
	}

	mem := opt.Memory
	c.bld = array.NewRecordBuilder(mem, src.RecordSchema())
	for i := range c.lineage {
		c.lineage[i] = c.bld.Field(i)
	}
	c.cols = make([]array.Builder, len(src.Columns))
	c.dataHint = make([]int, len(src.Columns))
	for i := range src.Columns {
		c.cols[i] = c.bld.Field(len(c.lineage) + i)
	}
	for i := range c.derived {
		c.derived[i] = c.bld.Field(len(c.lineage) + len(src.Columns) + i).(*array.StringBuilder)
	}
	return c
}

func (c *converter) release() { c.bld.Release() }

// rowInput is a delivered data row.
type rowInput struct {
	fields  []string // the delivered fields (possibly fewer than nFields when too many were read)
	nFields int      // how many fields the row had
	line    int64
	tooLong int // index of a field longer than MaxFieldBytes, or -1
	nul     bool
	delim   byte
}

// convert checks one row: it is appended to the record being built, or returned as quarantined.
// flagged reports a loaded row carrying data-quality flags.
func (c *converter) convert(in *rowInput) (q *Quarantined, flagged bool) {
	r := &c.row
	r.Sheet, r.Line, r.Offence = c.sheet, in.line, ""
	r.flags = r.flags[:0]
	r.quarantined, r.qColumn, r.qValue, r.qReasons = false, "", "", r.qReasons[:0]

	switch {
	case in.tooLong >= 0:
		r.quarantine(c.headerName(in.tooLong), "", fmt.Sprintf("field too long (more than %d bytes)", c.maxField))
	case in.nul:
		r.quarantine("", "", "the row holds a NUL byte (binary data)")
	case in.nFields > c.nHeader && c.trailingNonEmpty(in):
		r.quarantine("", "", fmt.Sprintf("too many fields: %d, the header has %d", in.nFields, c.nHeader))
	case in.nFields < c.nHeader && !c.serial:
		r.quarantine("", "", fmt.Sprintf("too few fields: %d, the header has %d", in.nFields, c.nHeader))
	}
	if !r.quarantined {
		for i := range c.src.Columns {
			c.value(i, in.fields)
		}
		c.checkGeneric()
		if !r.quarantined {
			c.adapter.CheckRow(r)
		}
	}
	if r.quarantined {
		reason := strings.Join(r.qReasons, "; ")
		return &Quarantined{Sheet: c.sheet, Line: in.line, Raw: rejoin(in.fields, in.delim), Column: r.qColumn,
			Value: r.qValue, Reason: reason}, false
	}
	c.appendRow(in.fields)
	return nil, len(r.flags) > 0
}

func (c *converter) headerName(j int) string {
	for i, k := range c.colOf {
		if k == j {
			return c.src.Columns[i].Name
		}
	}
	for n, k := range c.extraIdx {
		if k == j {
			return c.extraNames[n]
		}
	}
	return fmt.Sprintf("column_%d", j+1)
}

func (c *converter) trailingNonEmpty(in *rowInput) bool {
	if in.nFields > len(in.fields) {
		return true // more fields than were kept: certainly too many
	}
	for _, f := range in.fields[c.nHeader:] {
		if strings.TrimSpace(f) != "" {
			return true
		}
	}
	return false
}

// value converts field i of the source from the delivered fields.
func (c *converter) value(i int, fields []string) {
	col := &c.src.Columns[i]
	v := &c.row.Values[i]
	*v = Value{Null: true}
	s := ""
	if j := c.colOf[i]; j >= 0 && j < len(fields) {
		s = trim(fields[j])
	}
	v.Raw = s
	if s == "" {
		if col.Required {
			c.row.quarantine(col.Name, "", "required value missing")
		}
		return
	}
	problem := ""
	switch col.Kind {
	case schema.Text:
		v.Text = s
	case schema.List:
		v.Text = normaliseList(s)
	case schema.Date:
		d, ok := ParseDate(s, c.serial, c.date1904)
		if !ok {
			problem = "unparseable date"
		}
		v.Date = d
	case schema.Int:
		n, ok := ParseInt(s, c.serial)
		if !ok {
			problem = "not an integer"
		}
		v.Int = n
	case schema.Decimal:
		f, ok := ParseDecimal(s)
		if !ok && c.serial {
			f, ok = parseSpreadsheetFloat(s)
		}
		if !ok {
			problem = "unparseable decimal"
		}
		v.Float = f
	case schema.Enum:
		e, hit := c.memos[i].get(s)
		if !hit {
			e.val, e.ok = lookupEnum(col.Values, s)
			c.memos[i].put(s, e)
		}
		if !e.ok {
			problem = c.enumProblem[i]
		}
		v.Text = e.val
	case schema.Code:
		if col.CodeList == "offences" {
			v.Text = strings.ToUpper(s)
			break // mapped in checkGeneric, once the dates are known
		}
		e, hit := c.memos[i].get(s)
		if !hit {
			e.val, e.ok = s, c.codes.Has(col.CodeList, s)
			if !e.ok {
				u := strings.ToUpper(s)
				e.val, e.ok = u, c.codes.Has(col.CodeList, u)
			}
			c.memos[i].put(s, e)
		}
		if !e.ok {
			problem = "unknown " + codeWord(col.CodeList) + " code"
		}
		v.Text = e.val
	case schema.Country:
		e, hit := c.memos[i].get(s)
		if !hit {
			e.val, e.ok = c.codes.Country(s)
			c.memos[i].put(s, e)
		}
		if !e.ok {
			problem = "unknown country"
		}
		v.Text = e.val
	case schema.NatNum:
		t := s
		if c.serial {
			t = spreadsheetNatNum(s)
		}
		nn, century, p := ParseNatNum(t)
		if p != "" {
			problem = "invalid national number: " + p
		}
		v.Text, v.Century = nn, century
	}
	if problem == "" {
		v.Null = false
		return
	}
	if col.Required {
		c.row.quarantine(col.Name, s, problem)
		return
	}
	c.row.flags = append(c.row.flags, flagText(col.Name, problem, s))
}

// trim is strings.TrimSpace with a fast path for the usual value without surrounding space.
func trim(s string) string {
	if n := len(s); n == 0 || (s[0] > ' ' && s[0] < 0x80 && s[n-1] > ' ' && s[n-1] < 0x80) {
		return s
	}
	return strings.TrimSpace(s)
}

// checkGeneric runs the checks shared by all sources once every value is converted: the offence
// mapping, birth years and birth dates.
func (c *converter) checkGeneric() {
	r := &c.row
	if c.birthYear >= 0 {
		if v := &r.Values[c.birthYear]; !v.Null {
			switch {
			case v.Int > int64(r.Now.Year()):
				r.Reject("birth_year", "birth year in the future")
			case v.Int < minYear:
				r.Reject("birth_year", "birth year before 1900")
			}
		}
	}
	if c.birthDate >= 0 {
		if v := &r.Values[c.birthDate]; !v.Null && v.Time().After(r.Now) {
			r.Reject("birth_date", "birth date in the future")
		}
	}
	if c.offenceCol >= 0 {
		v := &r.Values[c.offenceCol]
		if !v.Null {
			day := int32(math.MinInt32)
			for _, i := range c.offDateCol {
				if !r.Values[i].Null {
					day = r.Values[i].Date
					break
				}
			}
			off, ok := c.mapOffence(v.Text, day)
			if !ok {
				r.quarantine(c.src.Columns[c.offenceCol].Name, v.Raw, "unknown offence code for "+c.src.Name+" (not in offence_map.csv nor a canvas offence code)")
				return
			}
			r.Offence = off
		}
	}
}

// mapOffence is schema.Codes.MapOffence with a precomputed index: the agency code in force on
// day (math.MinInt32: any), else a canvas offence code given directly.
func (c *converter) mapOffence(code string, day int32) (string, bool) {
	for _, rule := range c.offences[code] {
		if day != math.MinInt32 && (day < rule.from || day > rule.to) {
			continue
		}
		return rule.offence, true
	}
	if _, ok := c.codes.Offences[code]; ok {
		return code, true
	}
	return "", false
}

func codeWord(list string) string {
	switch list {
	case "districts":
		return "district"
	case "offices":
		return "office"
	case "courts":
		return "court"
	}
	return list
}

// lookupEnum finds the canonical value of a delivered spelling.
func lookupEnum(values map[string]string, s string) (string, bool) {
	if v, ok := values[s]; ok {
		return v, true
	}
	n := schema.NormaliseValue(s)
	if v, ok := values[n]; ok {
		return v, true
	}
	// "unknown author", "UNKNOWN-AUTHOR" and "unknown_author" are one spelling.
	spaced := strings.Join(strings.Fields(strings.NewReplacer("_", " ", "-", " ").Replace(n)), " ")
	if v, ok := values[spaced]; ok {
		return v, true
	}
	if v, ok := values[strings.ReplaceAll(spaced, " ", "_")]; ok {
		return v, true
	}
	return "", false
}

func canonicalValues(values map[string]string) string {
	seen := map[string]bool{}
	var out []string
	for _, v := range values {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	sortStrings(out)
	return strings.Join(out, ", ")
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

func normaliseList(s string) string {
	if !strings.Contains(s, "|") {
		return s
	}
	var parts []string
	for _, p := range strings.Split(s, "|") {
		if p = strings.TrimSpace(p); p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, "|")
}

// parseSpreadsheetFloat reads a number as a spreadsheet stores it ("1.5E-2").
func parseSpreadsheetFloat(s string) (float64, bool) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, false
	}
	return f, true
}

// spreadsheetNatNum restores a national number stored as a spreadsheet number: Excel drops the
// leading zeros of births in 2000-2009 and may write large numbers in E notation.
func spreadsheetNatNum(s string) string {
	if strings.ContainsAny(s, "eE") {
		if f, ok := parseSpreadsheetFloat(s); ok && f >= 0 && f < 1e11 && f == math.Trunc(f) {
			s = strconv.FormatInt(int64(f), 10)
		}
	}
	if len(s) >= 9 && len(s) < 11 {
		if _, ok := ParseInt(s, false); ok {
			s = strings.Repeat("0", 11-len(s)) + s
		}
	}
	return s
}

// appendRow writes the current (accepted) row into the Arrow builders.
func (c *converter) appendRow(fields []string) {
	r := &c.row
	c.lineage[0].(*array.Int64Builder).Append(c.runID)
	c.lineage[1].(*array.Int64Builder).Append(c.deliveryID)
	if c.sheet == "" {
		c.lineage[2].AppendNull()
	} else {
		c.lineage[2].(*array.StringBuilder).Append(c.sheet)
	}
	c.lineage[3].(*array.Int64Builder).Append(r.Line)
	for i := range c.src.Columns {
		v := &r.Values[i]
		b := c.cols[i]
		if v.Null {
			b.AppendNull()
			continue
		}
		switch bb := b.(type) {
		case *array.StringBuilder:
			bb.Append(v.Text)
		case *array.Int64Builder:
			bb.Append(v.Int)
		case *array.Float64Builder:
			bb.Append(v.Float)
		case *array.Date32Builder:
			bb.Append(arrow.Date32(v.Date))
		default:
			b.AppendNull()
		}
	}
	c.derived[0].Append(r.Offence)
	if len(r.flags) == 0 {
		c.derived[1].AppendNull()
	} else {
		c.derived[1].Append(strings.Join(r.flags, "; "))
	}
	c.appendExtra(fields)
	c.nRows++
}

func (c *converter) appendExtra(fields []string) {
	b := c.scratch[:0]
	n := 0
	for k, j := range c.extraIdx {
		if j >= len(fields) {
			continue
		}
		val := strings.TrimSpace(fields[j])
		if val == "" {
			continue
		}
		if n == 0 {
			b = append(b, '{')
		} else {
			b = append(b, ',')
		}
		b = appendJSONString(b, c.extraNames[k])
		b = append(b, ':')
		b = appendJSONString(b, val)
		n++
	}
	if n == 0 {
		c.derived[2].AppendNull()
	} else {
		b = append(b, '}')
		c.derived[2].BinaryBuilder.Append(b)
	}
	c.scratch = b
}

func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		ch := s[i]
		if ch < utf8.RuneSelf {
			switch {
			case ch == '"' || ch == '\\':
				b = append(b, '\\', ch)
			case ch == '\n':
				b = append(b, '\\', 'n')
			case ch == '\r':
				b = append(b, '\\', 'r')
			case ch == '\t':
				b = append(b, '\\', 't')
			case ch < 0x20:
				b = append(b, '\\', 'u', '0', '0', hex[ch>>4], hex[ch&0xF])
			default:
				b = append(b, ch)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, `\ufffd`...)
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}

// flush returns the record built so far (possibly empty) and starts a new one.
func (c *converter) flush() arrow.RecordBatch {
	for i, b := range c.cols {
		if sb, ok := b.(*array.StringBuilder); ok {
			c.dataHint[i] = sb.DataLen()
		}
	}
	c.nRows = 0
	return c.bld.NewRecordBatch()
}

// reserve prepares the builders for n rows, and string data for as much as the last batch held.
func (c *converter) reserve(n int) {
	c.bld.Reserve(n)
	for i, b := range c.cols {
		if sb, ok := b.(*array.StringBuilder); ok && c.dataHint[i] > 0 {
			sb.ReserveData(c.dataHint[i])
		}
	}
}

// rejoin writes delivered fields back as one CSV line, quoting where needed: the raw text of a
// quarantined row.
func rejoin(fields []string, delim byte) string {
	if delim == 0 {
		delim = ';'
	}
	var b strings.Builder
	for i, f := range fields {
		if i > 0 {
			b.WriteByte(delim)
		}
		if strings.IndexByte(f, delim) >= 0 || strings.ContainsAny(f, "\"\r\n") {
			b.WriteByte('"')
			b.WriteString(strings.ReplaceAll(f, `"`, `""`))
			b.WriteByte('"')
			continue
		}
		b.WriteString(f)
	}
	// NUL bytes cannot be stored as text: they are shown as \x00
	return strings.ReplaceAll(b.String(), "\x00", `\x00`)
}

// defaultAllocator is the allocator when Options.Memory is nil.
func defaultAllocator(m memory.Allocator) memory.Allocator {
	if m == nil {
		return memory.DefaultAllocator
	}
	return m
}
