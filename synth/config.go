package synth

import (
	"fmt"
	"time"
)

// Config sets the simulated world and the deliveries written from it. The zero value is not
// useful: start from DefaultConfig and change what a test or benchmark needs.
type Config struct {
	// Seed makes the output: the same seed and config give byte-identical files.
	Seed int64
	// FromYear and ToYear bound the years in which facts are recorded (default 2015-2025).
	FromYear, ToYear int
	// Scale multiplies the background volume: police facts, prosecution cases and conviction
	// judgments of OTHER offences (theft, drugs, road traffic). 1 is the default volume; the
	// trafficking and smuggling world keeps its Belgian size at every scale.
	Scale float64
	// Rates sets how often each double-counting pattern and each kind of bad row occurs.
	Rates Rates
	// Nights is the number of nightly delivery files per source after the initial full delivery.
	Nights int
	// Migration is the day MACH replaced the legacy criminal record: notices of judgments before
	// it are LEGACY lines (some also re-encoded in MACH), later ones are MACH lines.
	Migration time.Time
	// FirstDelivery is the extract date of the initial full delivery; the nightly deliveries
	// follow on the next days. Zero: 15 January after ToYear.
	FirstDelivery time.Time
	// SplitLines splits a delivery's CSV file into parts (_01, _02, ...) of at most this many
	// data rows; 0: never split.
	SplitLines int
}

// Rates are the probabilities of the patterns the generator injects. Each is a share of the
// unit named in its comment; the manifest reports how many were injected and out of how many.
type Rates struct {
	// Redelivery: share of the records standing before a nightly delivery that it delivers
	// again unchanged (the overlap of nightly extracts), per source.
	Redelivery float64
	// Correction: share of records first delivered in a wrong older version, corrected (higher
	// record_version, or later extract_date) in a nightly delivery.
	Correction float64
	// Cancellation: share of conviction notices that get a spurious line (an offence of the
	// other phenomenon) later CANCELLED; for police facts and prosecution cases, the share that
	// get a spurious duplicate (a second fact, or an extra REFERRED suspect) later deleted.
	Cancellation float64
	// MigrationDuplicate: share of LEGACY notices also re-encoded in MACH.
	MigrationDuplicate float64
	// MigrationMissingNN: share of re-encoded MACH copies that lost the national number.
	MigrationMissingNN float64
	// VictimsMean and VictimsMax: smuggled persons per smuggling conviction notice (1 + a
	// geometric number with this mean, capped).
	VictimsMean float64
	VictimsMax  int
	// PerVictimLines: share of smuggling notices coded with one SMU-77BIS line per smuggled
	// person (the fine on every line); the others have one line with the number of victims.
	PerVictimLines float64
	// Aggravation: share of THB/SMU conviction notices with aggravating-circumstance lines
	// (SMU-77QUATER/77QUINQUIES, THB-433SEPTIES/433OCTIES).
	Aggravation float64
	// CoOffence: share of THB/SMU notices with a co-offence line (ORG-324TER, FOR-196,
	// PIM-433QUATER).
	CoOffence float64
	// Appeal: share of first-instance convictions appealed; AppealConfirm, AppealChange and
	// AppealAcquit split the outcomes (they are normalised to sum 1).
	Appeal, AppealConfirm, AppealChange, AppealAcquit float64
	// Opposition: share of first-instance convictions given by default and opposed.
	Opposition float64
	// Cassation: share of appeal convictions taken to the Court of Cassation (which rejects).
	Cassation float64
	// MissingFirst: share of appealed chains whose first-instance notice is absent.
	MissingFirst float64
	// Identity variants, per conviction notice of a person who has an earlier notice:
	// transliteration or spelling variant, surname and given names swapped, day and month of
	// birth swapped (only drawn when both are <= 12), an alias surname, accents dropped, a typo.
	NameVariant, SwappedNames, SwappedDayMonth, Alias, AccentsDropped, Typo float64
	// MissingNN: share of conviction notices without the person's national number.
	MissingNN float64
	// BIS and NoNumber: share of foreign persons with a BIS number, and with no number at all
	// (the rest of foreigners and nearly all Belgians have a national register number).
	BIS, NoNumber float64
	// Repeat: share of suspects drawn again from earlier suspects of the same phenomenon.
	Repeat float64
	// BadRow: share of rows of CSV files, per kind of contract breach, that are junk rows to
	// be quarantined (required field empty, unparseable date, unknown code, unknown enum, too
	// few fields, too many fields).
	BadRow float64
	// BadOptional: share of rows, per kind, with a flagged optional value (invalid national
	// number check digits, birth year in the future, unknown citizenship).
	BadOptional float64
}

// DefaultConfig returns the Belgian-scale defaults.
func DefaultConfig() Config {
	return Config{
		Seed: 1, FromYear: 2015, ToYear: 2025, Scale: 1, Nights: 3,
		Migration:  time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC),
		SplitLines: 1_000_000,
		Rates: Rates{
			Redelivery: 0.02, Correction: 0.03, Cancellation: 0.02,
			MigrationDuplicate: 0.3, MigrationMissingNN: 0.4,
			VictimsMean: 5, VictimsMax: 50, PerVictimLines: 0.7,
			Aggravation: 0.35, CoOffence: 0.25,
			Appeal: 0.25, AppealConfirm: 0.6, AppealChange: 0.3, AppealAcquit: 0.1,
			Opposition: 0.03, Cassation: 0.08, MissingFirst: 0.02,
			NameVariant: 0.25, SwappedNames: 0.08, SwappedDayMonth: 0.3, Alias: 0.05,
			AccentsDropped: 0.3, Typo: 0.05,
			MissingNN: 0.5, BIS: 0.35, NoNumber: 0.25, Repeat: 0.08,
			BadRow: 0.0005, BadOptional: 0.002,
		},
	}
}

func (c *Config) normalise() error {
	if c.FromYear == 0 && c.ToYear == 0 {
		c.FromYear, c.ToYear = 2015, 2025
	}
	if c.FromYear > c.ToYear || c.FromYear < 1950 || c.ToYear > 2090 {
		return fmt.Errorf("synth: years %d-%d: FromYear must be <= ToYear, both between 1950 and 2090", c.FromYear, c.ToYear)
	}
	if c.Scale < 0 {
		return fmt.Errorf("synth: scale %v must not be negative", c.Scale)
	}
	if c.Nights < 0 {
		return fmt.Errorf("synth: nights %d must not be negative", c.Nights)
	}
	if c.Migration.IsZero() {
		c.Migration = time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	if c.FirstDelivery.IsZero() {
		c.FirstDelivery = time.Date(c.ToYear+1, 1, 15, 0, 0, 0, 0, time.UTC)
	}
	if c.Rates.VictimsMax < 1 {
		c.Rates.VictimsMax = 1
	}
	s := c.Rates.AppealConfirm + c.Rates.AppealChange + c.Rates.AppealAcquit
	if s <= 0 {
		c.Rates.AppealConfirm, s = 1, 1
	}
	c.Rates.AppealConfirm /= s
	c.Rates.AppealChange /= s
	c.Rates.AppealAcquit /= s
	return nil
}
