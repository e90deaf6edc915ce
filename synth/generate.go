package synth

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"

	"github.com/ciatteh/canvas/schema"
)

// PatternCount is how often a pattern was injected, out of how many chances.
type PatternCount struct {
	Injected int64 `json:"injected"`
	OutOf    int64 `json:"out_of"`
}

// FileInfo describes one delivery file written.
type FileInfo struct {
	Name      string `json:"name"`
	Source    string `json:"source"`
	Night     int    `json:"night"` // 0: the initial full delivery
	Format    string `json:"format"`
	Encoding  string `json:"encoding,omitempty"`
	Delimiter string `json:"delimiter,omitempty"`
	Language  string `json:"language"`
	Dates     string `json:"dates"`
	Title     bool   `json:"title_block,omitempty"`
	Serial    bool   `json:"excel_serial_dates,omitempty"`
	Rows      int64  `json:"rows"`     // data rows, junk rows included
	BadRows   int64  `json:"bad_rows"` // junk rows to be quarantined
}

// Manifest reports what Generate wrote: files, rows per source, and every injected pattern with
// its count. It is also written as truth/manifest.json.
type Manifest struct {
	Seed          int64                   `json:"seed"`
	FromYear      int                     `json:"from_year"`
	ToYear        int                     `json:"to_year"`
	Scale         float64                 `json:"scale"`
	Nights        int                     `json:"nights"`
	Migration     string                  `json:"migration"`
	FirstDelivery string                  `json:"first_delivery"`
	Rates         Rates                   `json:"rates"`
	Files         []FileInfo              `json:"files"`
	Rows          map[string]int64        `json:"rows"`     // per source
	BadRows       map[string]int64        `json:"bad_rows"` // per source.kind
	Patterns      map[string]PatternCount `json:"patterns"`
	World         map[string]int64        `json:"world"`           // sizes of the hidden world
	Indicator     int64                   `json:"indicator_rows"` // rows of truth/indicator.csv
}

// badKinds are the kinds of junk rows the contract quarantines.
var badKinds = [...]string{"required_empty", "bad_date", "unknown_code", "unknown_enum", "too_few_fields", "too_many_fields"}

// Generate writes one simulated world's extracts into outDir, and its truth into outDir/truth.
// progress, if not nil, is called now and then with rows written and the expected total.
func Generate(ctx context.Context, outDir string, cfg Config, progress func(done, total int64)) (Manifest, error) {
	if err := cfg.normalise(); err != nil {
		return Manifest{}, err
	}
	codes, err := schema.LoadCodes("")
	if err != nil {
		return Manifest{}, err
	}
	w := newWorld(cfg, codes)
	w.build()
	if err := ctx.Err(); err != nil {
		return Manifest{}, err
	}
	if err := os.MkdirAll(filepath.Join(outDir, "truth"), 0o755); err != nil {
		return Manifest{}, fmt.Errorf("synth: %w", err)
	}
	g := &gen{w: w, ctx: ctx, out: outDir, progress: progress,
		m: Manifest{Seed: cfg.Seed, FromYear: cfg.FromYear, ToYear: cfg.ToYear, Scale: cfg.Scale, Nights: cfg.Nights,
			Migration: w.migration.iso(), FirstDelivery: w.d0.iso(), Rates: cfg.Rates,
			Rows: map[string]int64{}, BadRows: map[string]int64{}, World: map[string]int64{}},
		a3: map[string]string{}}
	for a3, a2 := range codes.Alpha3To2 {
		g.a3[a2] = a3
	}
	years := int64(cfg.ToYear - cfg.FromYear + 1)
	bgb := newBackground(w, 0)
	g.total = int64(len(w.police)+len(w.pros)+len(w.mach))*int64(1+cfg.Nights)/2 +
		years*int64(bgb.perYear(bgPoliceRows)+bgb.perYear(bgProsecutionRows)+bgb.perYear(bgMachLines))
	if err := g.openTruth(); err != nil {
		return Manifest{}, err
	}
	defer g.closeTruth()
	if err := g.deliver(); err != nil {
		return Manifest{}, err
	}
	if err := g.closeTruth(); err != nil {
		return Manifest{}, err
	}
	n, err := writeIndicator(filepath.Join(outDir, "truth", "indicator.csv"), w)
	if err != nil {
		return Manifest{}, err
	}
	g.m.Indicator = n
	g.m.Patterns = map[string]PatternCount{}
	for k, v := range w.patterns {
		g.m.Patterns[k] = *v
	}
	g.m.World["persons"] = int64(len(w.persons))
	g.m.World["episodes"] = int64(len(w.episodes))
	g.m.World["chains"] = int64(len(w.chains))
	g.m.World["police_records"] = int64(len(w.police))
	g.m.World["prosecution_records"] = int64(len(w.pros))
	g.m.World["mach_records"] = int64(len(w.mach))
	b, err := json.MarshalIndent(g.m, "", "  ")
	if err != nil {
		return Manifest{}, err
	}
	if err := os.WriteFile(filepath.Join(outDir, "truth", "manifest.json"), append(b, '\n'), 0o644); err != nil {
		return Manifest{}, fmt.Errorf("synth: %w", err)
	}
	if err := os.WriteFile(filepath.Join(outDir, "truth", "README.md"), []byte(truthReadme), 0o644); err != nil {
		return Manifest{}, fmt.Errorf("synth: %w", err)
	}
	if progress != nil {
		progress(g.done, g.done)
	}
	return g.m, nil
}

// gen writes the deliveries of one world.
type gen struct {
	w        *world
	ctx      context.Context
	out      string
	progress func(done, total int64)
	m        Manifest
	a3       map[string]string
	done     int64
	total    int64
	rb       rowBuf
	truthP   *truthFile
	truthC   *truthFile
}

// delivery is the file (or file parts) of one source and night being written.
type delivery struct {
	g      *gen
	src    *schema.Source
	p      *profile
	night  int
	base   string // file name without part and extension
	split  bool
	part   int
	sink   sink
	info   *FileInfo
	junk   *rand.Rand
	gap    int64 // rows before the next junk row
	junkFn func(cells []string)
}

func (g *gen) profile(si, k int, src *schema.Source) *profile {
	r := rand.New(rand.NewPCG(uint64(g.w.cfg.Seed), uint64(100+si*1000+k)))
	p := &profile{source: src.Name, lang: (si + k) % 3, enc: (si*2 + k) % 3, dates: (si + 2*k) % 4}
	p.xlsx = k > 0 && (si+k)%3 == 1
	p.delim = ';'
	if (si+k)%2 == 1 {
		p.delim = ','
	}
	p.decComma = p.delim == ';' || r.IntN(3) == 0
	p.crlf = r.IntN(2) == 0
	p.alpha3 = r.IntN(3) == 0
	p.dottedNN = r.IntN(2) == 0
	p.style = r.IntN(3)
	p.extra = r.IntN(3) == 0
	if p.xlsx {
		p.title, p.serial, p.info = si != 1, si != 2, si == 1
	}
	if r.IntN(3) == 0 {
		p.perm = r.Perm(len(src.Columns))
	}
	return p
}

var sourcePrefix = [...]string{"police", "prosecution", "mach"}

func (g *gen) deliver() error {
	w := g.w
	for si, src := range schema.Sources() {
		for k := range w.nights {
			p := g.profile(si, k, src)
			d := &delivery{g: g, src: src, p: p, night: k,
				base: fmt.Sprintf("%s_%s", sourcePrefix[si], strings.ReplaceAll(w.nights[k].iso(), "-", "")),
				junk: rand.New(rand.NewPCG(uint64(w.cfg.Seed), uint64(7+si*1000+k)))}
			est := int64(0)
			switch si {
			case 0:
				est = int64(len(w.police))
			case 1:
				est = int64(len(w.pros))
			default:
				est = int64(len(w.mach))
			}
			if k == 0 {
				bg := newBackground(w, 0)
				est += int64(w.cfg.ToYear-w.cfg.FromYear+1) * int64(bg.perYear([...]int{bgPoliceRows, bgProsecutionRows, bgMachLines}[si]))
			}
			d.split = !p.xlsx && w.cfg.SplitLines > 0 && est > int64(w.cfg.SplitLines)
			d.nextGap()
			if err := d.open(); err != nil {
				return err
			}
			var err error
			switch si {
			case 0:
				err = deliverRecords(d, w.police, "police", renderPolice)
				if err == nil && k == 0 {
					bg := newBackground(w, 11)
					bg.onBad = w.pat
					for y := w.cfg.FromYear; y <= w.cfg.ToYear && err == nil; y++ {
						err = bg.police(y, func(r *policeRow) error {
							renderPolice(&g.rb, r, w.nights[0])
							return d.write(&g.rb)
						})
					}
				}
			case 1:
				err = deliverRecords(d, w.pros, "prosecution", renderProsecution)
				if err == nil && k == 0 {
					bg := newBackground(w, 12)
					bg.onBad = w.pat
					for y := w.cfg.FromYear; y <= w.cfg.ToYear && err == nil; y++ {
						err = bg.prosecution(y, func(r *prosRow) error {
							renderProsecution(&g.rb, r, w.nights[0])
							return d.write(&g.rb)
						})
					}
				}
			default:
				err = deliverRecords(d, w.mach, "mach", renderMach)
				if err == nil && k == 0 {
					bg := newBackground(w, 13)
					bg.onBad = w.pat
					for y := w.cfg.FromYear; y <= w.cfg.ToYear && err == nil; y++ {
						err = bg.mach(y, func(l *machLine, pk, ck, outcome string) error {
							renderMach(&g.rb, l, w.nights[0])
							if err := g.truthP.line("mach", l.recordID, pk); err != nil {
								return err
							}
							if err := g.truthC.line(l.recordID, ck, outcome, l.final.isoOrEmpty(), "Y"); err != nil {
								return err
							}
							return d.write(&g.rb)
						})
					}
				}
			}
			if cerr := d.close(); err == nil {
				err = cerr
			}
			if err != nil {
				return fmt.Errorf("synth: writing %s: %w", d.base, err)
			}
		}
	}
	return nil
}

func (d day) isoOrEmpty() string {
	if d == 0 || d == noDay {
		return ""
	}
	return d.iso()
}

// deliverRecords writes the versions of night d.night, and re-delivers unchanged a share of
// the records standing before it.
func deliverRecords[T any](d *delivery, recs []*rec[T], source string, render func(*rowBuf, *T, day)) error {
	w := d.g.w
	ex := w.nights[d.night]
	for _, rc := range recs {
		var row *T
		for i := range rc.vers {
			if rc.vers[i].night == d.night {
				row = &rc.vers[i].row
			}
		}
		if row == nil && d.night > 0 {
			if prev := rc.at(d.night - 1); prev != nil && !tombstone(prev) {
				if w.chance(source+".redelivered", w.cfg.Rates.Redelivery) {
					row = prev
				}
			}
		}
		if row == nil {
			continue
		}
		render(&d.g.rb, row, ex)
		if err := d.write(&d.g.rb); err != nil {
			return err
		}
	}
	return nil
}

func tombstone(v any) bool {
	switch r := v.(type) {
	case *policeRow:
		return r.deleted
	case *prosRow:
		return r.deleted
	case *machLine:
		return r.cancelled
	}
	return false
}

func (d *delivery) open() error {
	name := d.base
	if d.split {
		d.part++
		name = fmt.Sprintf("%s_%02d", d.base, d.part)
	}
	ext := ".csv"
	if d.p.xlsx {
		ext = ".xlsx"
	}
	name += ext
	path := filepath.Join(d.g.out, name)
	var err error
	if d.p.xlsx {
		d.sink, err = newXLSXSink(path, d.p, d.src, d.g.a3, d.g.w.nights[d.night])
	} else {
		d.sink, err = newCSVSink(path, d.p, d.src, d.g.a3)
	}
	if err != nil {
		return fmt.Errorf("synth: %s: %w", name, err)
	}
	fi := FileInfo{Name: name, Source: d.src.Name, Night: d.night, Format: ext[1:], Language: langNames[d.p.lang],
		Dates: dateNames[d.p.dates], Title: d.p.title, Serial: d.p.serial}
	if d.p.serial {
		fi.Dates = "excel-serial"
	}
	if !d.p.xlsx {
		fi.Encoding, fi.Delimiter = encNames[d.p.enc], string(d.p.delim)
	}
	d.g.m.Files = append(d.g.m.Files, fi)
	d.info = &d.g.m.Files[len(d.g.m.Files)-1]
	return nil
}

func (d *delivery) close() error {
	if d.sink == nil {
		return nil
	}
	err := d.sink.close()
	d.sink = nil
	return err
}

func (d *delivery) nextGap() {
	p := d.g.w.cfg.Rates.BadRow * float64(len(badKinds))
	if p <= 0 || d.p.xlsx {
		d.gap = math.MaxInt64
		return
	}
	d.gap = 1 + int64(-math.Log(1-d.junk.Float64())/p)
}

// write writes a data row, and now and then a junk row before it.
func (d *delivery) write(rb *rowBuf) error {
	g := d.g
	if d.split && d.info.Rows >= int64(g.w.cfg.SplitLines) {
		if err := d.close(); err != nil {
			return err
		}
		if err := d.open(); err != nil {
			return err
		}
	}
	d.gap--
	if d.gap <= 0 {
		if err := d.writeJunk(rb); err != nil {
			return err
		}
		d.nextGap()
	}
	if err := d.sink.row(rb); err != nil {
		return err
	}
	d.info.Rows++
	g.m.Rows[d.src.Name]++
	g.done++
	if g.done&0xffff == 0 {
		if err := g.ctx.Err(); err != nil {
			return err
		}
		if g.progress != nil {
			g.progress(g.done, max(g.total, g.done))
		}
	}
	return nil
}

// writeJunk writes a junk row made from rb (with its own record key) that breaks the contract
// in one way, so that the pipeline must quarantine it.
func (d *delivery) writeJunk(rb *rowBuf) error {
	r := d.junk
	cols := columnsOf(d.src)
	cells := make([]string, rb.n())
	var buf []byte
	for i := range cells {
		buf = d.p.localise(buf[:0], &cols[i], rb.cell(i), d.g.a3)
		cells[i] = string(buf)
	}
	d.g.m.World["junk_seq"]++
	key := fmt.Sprintf("Q%08d", d.g.m.World["junk_seq"])
	cells[0] = key
	idx := func(name string) int {
		for i, c := range d.src.Columns {
			if c.Name == name {
				return i
			}
		}
		return 0
	}
	kind := badKinds[r.IntN(len(badKinds))]
	switch kind {
	case "required_empty":
		req := d.src.Required()
		cells[idx(req[1+r.IntN(len(req)-1)])] = ""
	case "bad_date":
		dates := map[string]string{"police": "registration_date", "prosecution": "entry_date", "mach": "judgment_date"}
		cells[idx(dates[d.src.Name])] = [...]string{"2019-13-45", "32/13/2019", "hier", "00/00/0000", "31.02.20x9"}[r.IntN(5)]
	case "unknown_code":
		switch d.src.Name {
		case "police":
			if r.IntN(2) == 0 {
				cells[idx("district")] = "XYZ"
			} else {
				cells[idx("offence_code")] = "99Z9"
			}
		case "prosecution":
			if r.IntN(2) == 0 {
				cells[idx("office")] = "ZZZ"
			} else {
				cells[idx("prevention_code")] = "99X"
			}
		default:
			if r.IntN(2) == 0 {
				cells[idx("court")] = "TPI-XXX"
			} else {
				cells[idx("offence_code")] = "XXX-999"
			}
		}
	case "unknown_enum":
		switch d.src.Name {
		case "police":
			cells[idx("role")] = [...]string{"WITNESS", "TÉMOIN", "GETUIGE"}[d.p.lang]
		case "prosecution":
			cells[idx("status")] = [...]string{"PENDING", "EN ATTENTE", "IN AFWACHTING"}[d.p.lang]
		default:
			cells[idx("instance")] = [...]string{"SUPREME", "SUPRÊME", "OPPERSTE"}[d.p.lang]
		}
	case "too_few_fields":
		cells = cells[:len(cells)-1-r.IntN(3)]
	case "too_many_fields":
		cells = append(cells, "?", "")
		if d.p.extra {
			cells = append(cells, "")
		}
	}
	if err := d.sink.raw(cells); err != nil {
		return err
	}
	d.info.Rows++
	d.info.BadRows++
	d.g.m.Rows[d.src.Name]++
	d.g.m.BadRows[d.src.Name+"."+kind]++
	return nil
}
