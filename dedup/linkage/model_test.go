package linkage

import (
	"bytes"
	"encoding/binary"
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestLinkPinnedModel: Link with the model of a first run on the same records, stored and read
// back, gives the same result, parameters included.
func TestLinkPinnedModel(t *testing.T) {
	recs, ds := relinkPopulation(600, 21)
	first, err := Link(t.Context(), recs, ds, DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	if first.Model == nil {
		t.Fatal("Result.Model is nil")
	}
	blob, err := first.Model.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var stored Model
	if err := stored.UnmarshalBinary(blob); err != nil {
		t.Fatal(err)
	}
	for name, md := range map[string]*Model{"as returned": first.Model, "stored": &stored} {
		cfg := DefaultConfig()
		cfg.Model = md
		var stages []string
		cfg.Progress = func(stage string, _ int) { stages = append(stages, stage) }
		again, err := Link(t.Context(), recs, ds, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(first, again); diff != "" {
			t.Errorf("model %s: Link with the first run's model differs (-first +pinned):\n%s", name, diff)
		}
		if !again.Model.Equal(first.Model) {
			t.Errorf("model %s: Result.Model is not the model given", name)
		}
		if want := []string{"prepare", "block", "compare", "estimate", "cluster"}; !cmp.Equal(want, stages) {
			t.Errorf("model %s: stages %v, want %v", name, stages, want)
		}
	}
}

// TestLinkPinnedModelIsNotRefitted: on other records, a pinned model keeps its prior, weights
// and name frequencies (nothing is estimated), while the counts are this run's.
func TestLinkPinnedModelIsNotRefitted(t *testing.T) {
	first, err := Link(t.Context(), records(generate(400, 1)), nil, DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	others := records(generate(300, 2))
	fitted, err := Link(t.Context(), others, nil, DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.Model = first.Model
	pinned, err := Link(t.Context(), others, nil, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if pinned.Params.PriorWeight != first.Params.PriorWeight || pinned.Params.Lambda != first.Params.Lambda ||
		pinned.Params.Iterations != first.Params.Iterations || pinned.Params.RandomPairs != first.Params.RandomPairs {
		t.Errorf("pinned run reports prior %v lambda %v iterations %d random pairs %d, want the model's %v %v %d %d",
			pinned.Params.PriorWeight, pinned.Params.Lambda, pinned.Params.Iterations, pinned.Params.RandomPairs,
			first.Params.PriorWeight, first.Params.Lambda, first.Params.Iterations, first.Params.RandomPairs)
	}
	if pinned.Params.PriorWeight == fitted.Params.PriorWeight {
		t.Fatal("scenario broken: the two populations give the same prior")
	}
	if pinned.Params.CandidatePairs != fitted.Params.CandidatePairs || pinned.Params.LabelledPairs != fitted.Params.LabelledPairs {
		t.Errorf("pinned run counts %d candidate and %d labelled pairs, want this run's %d and %d",
			pinned.Params.CandidatePairs, pinned.Params.LabelledPairs, fitted.Params.CandidatePairs, fitted.Params.LabelledPairs)
	}
	for f, fp := range pinned.Params.Fields {
		for l, lp := range fp.Levels {
			want := first.Params.Fields[f].Levels[l]
			if lp.Weight != want.Weight || lp.Frequency != fitted.Params.Fields[f].Levels[l].Frequency {
				t.Errorf("%s %s: weight %v frequency %d, want the model's weight %v and this run's frequency %d",
					fp.Field, lp.Level, lp.Weight, lp.Frequency, want.Weight, fitted.Params.Fields[f].Levels[l].Frequency)
			}
		}
	}
	if !pinned.Model.Equal(first.Model) {
		t.Error("the pinned model changed")
	}
}

func testModel(t testing.TB) *Model {
	t.Helper()
	res, err := Link(t.Context(), records(generate(60, 3)), nil, DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	return res.Model
}

func TestModelMarshal(t *testing.T) {
	md := testModel(t)
	blob, err := md.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	again, err := md.MarshalBinary()
	if err != nil || !bytes.Equal(blob, again) {
		t.Errorf("two encodings of one model differ (err %v)", err)
	}
	var back Model
	if err := back.UnmarshalBinary(blob); err != nil {
		t.Fatal(err)
	}
	if !back.Equal(md) {
		t.Error("the model read back differs from the model written")
	}
	names := 0
	for _, tb := range md.tables() {
		names += len(tb)
	}
	t.Logf("%d bytes for %d names", len(blob), names)

	if _, err := new(Model).MarshalBinary(); err == nil || !strings.Contains(err.Error(), "levels") && !strings.Contains(err.Error(), "parameters") {
		t.Errorf("MarshalBinary of an empty model: error %v, want one about its parameters", err)
	}
	cfg := DefaultConfig()
	cfg.Model = new(Model)
	if _, err := Link(t.Context(), nil, nil, cfg); err == nil || !strings.Contains(err.Error(), "Config.Model") && !strings.Contains(err.Error(), "Model:") {
		t.Errorf("Link with an empty model: error %v, want one naming the model", err)
	}
}

func TestModelUnmarshalErrors(t *testing.T) {
	blob, err := testModel(t).MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	corrupt := func(f func(b []byte) []byte) []byte { return f(bytes.Clone(blob)) }
	// params is the offset of lambda, after the header, two counts and the converged flag
	params := len(modelMagic)
	for range 2 {
		_, n := binary.Uvarint(blob[params:])
		params += n
	}
	params++
	tests := []struct {
		name string
		blob []byte
		want string
	}{
		{"empty", nil, "truncated at byte 0"},
		{"not a model", []byte("PK\x03\x04 a zip file, not a model"), "not a linkage model"},
		{"newer version", corrupt(func(b []byte) []byte { b[len(modelMagic)-1] = 9; return b }), "format version 9"},
		{"truncated in the parameters", blob[:params+5], "truncated"},
		{"truncated in the tables", blob[:len(blob)-3], "truncated"},
		{"trailing bytes", append(bytes.Clone(blob), 0), "1 bytes after the end"},
		{"converged flag", corrupt(func(b []byte) []byte { b[params-1] = 7; return b }), "converged flag 7"},
		{"lambda not a number", corrupt(func(b []byte) []byte {
			binary.LittleEndian.PutUint64(b[params:], math.Float64bits(math.NaN()))
			return b
		}), "lambda NaN"},
		{"huge count", append(bytes.Clone(blob[:params+16]), 0xff, 0xff, 0xff, 0xff, 0x0f), "more than the"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			md := testModel(t)
			before := *md
			err := md.UnmarshalBinary(tt.blob)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("UnmarshalBinary error = %v, want one containing %q", err, tt.want)
			}
			if !md.Equal(&before) {
				t.Error("a failed UnmarshalBinary changed the model")
			}
		})
	}
}
