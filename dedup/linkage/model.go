package linkage

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
)

// modelMagic opens every blob of MarshalBinary; its last byte is the format's version.
const modelMagic = "LNKMODL\x01"

// MarshalBinary encodes the model compactly: the parameters as float64 bits and each frequency
// table as its key lengths (varints), its keys back to back and its shares (float64 bits), keys
// sorted, so that one model always gives the same bytes. At national scale the tables hold
// millions of names: the blob takes about 10 bytes a name beyond the name itself.
func (md *Model) MarshalBinary() ([]byte, error) {
	if err := md.check(); err != nil {
		return nil, fmt.Errorf("linkage model: %w", err)
	}
	size := len(modelMagic) + 3*binary.MaxVarintLen64 + 16
	for f := range numFields {
		size += binary.MaxVarintLen64 + 4*8*len(md.m[f])
	}
	for _, t := range md.tables() {
		size += binary.MaxVarintLen64
		for k := range t {
			size += binary.MaxVarintLen64 + len(k) + 8
		}
	}
	b := make([]byte, 0, size)
	b = append(b, modelMagic...)
	b = binary.AppendUvarint(b, uint64(md.iterations))
	b = binary.AppendUvarint(b, uint64(md.randomPairs))
	conv := byte(0)
	if md.converged {
		conv = 1
	}
	b = append(b, conv)
	b = appendFloat(appendFloat(b, md.lambda), md.prior)
	for f := range numFields {
		b = binary.AppendUvarint(b, uint64(len(md.m[f])))
		for l := range md.m[f] {
			b = appendFloat(appendFloat(appendFloat(appendFloat(b, md.m[f][l]), md.u[f][l]), md.uCand[f][l]), md.w[f][l])
		}
	}
	for _, t := range md.tables() {
		keys := sortedKeys(t)
		b = binary.AppendUvarint(b, uint64(len(keys)))
		for _, k := range keys {
			b = binary.AppendUvarint(b, uint64(len(k)))
		}
		for _, k := range keys {
			b = append(b, k...)
		}
		for _, k := range keys {
			b = appendFloat(b, t[k])
		}
	}
	return b, nil
}

// tables returns the frequency tables in the order of the blob.
func (md *Model) tables() [3]map[string]float64 {
	return [3]map[string]float64{md.tf[0], md.tf[1], md.tfFull}
}

func appendFloat(b []byte, v float64) []byte {
	return binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
}

// UnmarshalBinary decodes a blob of MarshalBinary into md. A blob that is not one, truncated or
// corrupt gives an error saying where, and leaves md unchanged.
func (md *Model) UnmarshalBinary(data []byte) error {
	d := modelDecoder{b: data}
	out, err := d.model()
	if err == nil && d.off != len(d.b) {
		err = fmt.Errorf("%d bytes after the end of the model", len(d.b)-d.off)
	}
	if err == nil {
		err = out.check()
	}
	if err != nil {
		return fmt.Errorf("linkage model: %w (a blob of %d bytes; was it written by Model.MarshalBinary and stored whole?)", err, len(data))
	}
	*md = *out
	return nil
}

// modelDecoder reads a blob of MarshalBinary; off is where it stands.
type modelDecoder struct {
	b   []byte
	off int
}

var errTruncated = errors.New("truncated")

func (d *modelDecoder) uvarint(what string) (uint64, error) {
	v, n := binary.Uvarint(d.b[d.off:])
	if n <= 0 {
		return 0, fmt.Errorf("%w at byte %d, reading %s", errTruncated, d.off, what)
	}
	d.off += n
	return v, nil
}

// count reads a count of items taking at least each bytes apiece, and refuses one the rest of
// the blob cannot hold, so that a corrupt count never allocates.
func (d *modelDecoder) count(what string, each int) (int, error) {
	v, err := d.uvarint(what)
	if err != nil {
		return 0, err
	}
	if v > uint64(len(d.b)-d.off)/uint64(each) {
		return 0, fmt.Errorf("%s %d at byte %d: more than the %d bytes left can hold", what, v, d.off, len(d.b)-d.off)
	}
	return int(v), nil
}

func (d *modelDecoder) bytes(n int, what string) ([]byte, error) {
	if n > len(d.b)-d.off {
		return nil, fmt.Errorf("%w at byte %d, reading %s", errTruncated, d.off, what)
	}
	d.off += n
	return d.b[d.off-n : d.off], nil
}

func (d *modelDecoder) float(what string) (float64, error) {
	b, err := d.bytes(8, what)
	if err != nil {
		return 0, err
	}
	return math.Float64frombits(binary.LittleEndian.Uint64(b)), nil
}

func (d *modelDecoder) model() (*Model, error) {
	magic, err := d.bytes(len(modelMagic), "the header")
	if err != nil {
		return nil, err
	}
	if string(magic[:len(magic)-1]) != modelMagic[:len(modelMagic)-1] {
		return nil, errors.New("not a linkage model: the header is missing")
	}
	if magic[len(magic)-1] != modelMagic[len(modelMagic)-1] {
		return nil, fmt.Errorf("format version %d, this build reads version %d", magic[len(magic)-1], modelMagic[len(modelMagic)-1])
	}
	md := new(Model)
	iters, err := d.uvarint("the EM iterations")
	if err != nil {
		return nil, err
	}
	drawn, err := d.uvarint("the random pairs")
	if err != nil {
		return nil, err
	}
	if iters > math.MaxInt32 || drawn > math.MaxInt32 {
		return nil, fmt.Errorf("byte %d: %d EM iterations and %d random pairs, more than a fit runs", d.off, iters, drawn)
	}
	conv, err := d.bytes(1, "whether EM converged")
	if err != nil {
		return nil, err
	}
	if conv[0] > 1 {
		return nil, fmt.Errorf("byte %d: converged flag %d, want 0 or 1", d.off-1, conv[0])
	}
	md.iterations, md.randomPairs, md.converged = int(iters), int(drawn), conv[0] == 1
	if md.lambda, err = d.float("lambda"); err != nil {
		return nil, err
	}
	if md.prior, err = d.float("the prior"); err != nil {
		return nil, err
	}
	for f := range numFields {
		k, err := d.count("the levels of "+fieldName(f), 4*8)
		if err != nil {
			return nil, err
		}
		if k != len(levelsOf(f)) {
			return nil, fmt.Errorf("field %s has %d levels, this build has %d", fieldName(f), k, len(levelsOf(f)))
		}
		for _, p := range []*[]float64{&md.m[f], &md.u[f], &md.uCand[f], &md.w[f]} {
			*p = make([]float64, k)
		}
		for l := range k {
			for _, p := range [][]float64{md.m[f], md.u[f], md.uCand[f], md.w[f]} {
				if p[l], err = d.float(fieldName(f) + " parameters"); err != nil {
					return nil, err
				}
			}
		}
	}
	for n, name := range []string{"surname frequencies", "given name frequencies", "full name frequencies"} {
		t, err := d.table(name)
		if err != nil {
			return nil, err
		}
		if n < 2 {
			md.tf[n] = t
		} else {
			md.tfFull = t
		}
	}
	return md, nil
}

// table reads one frequency table. The keys are cut from one string holding them all, so that
// millions of names take one allocation.
func (d *modelDecoder) table(name string) (map[string]float64, error) {
	n, err := d.count(name, 1+8)
	if err != nil {
		return nil, err
	}
	lens := make([]int, n)
	total := 0
	for i := range lens {
		v, err := d.uvarint(name + " key length")
		if err != nil {
			return nil, err
		}
		if v > uint64(len(d.b)) {
			return nil, fmt.Errorf("%w at byte %d: %s key %d of %d bytes", errTruncated, d.off, name, i, v)
		}
		lens[i] = int(v)
		if total += int(v); total > len(d.b)-d.off {
			return nil, fmt.Errorf("%w at byte %d: the keys of %s need %d bytes or more", errTruncated, d.off, name, total)
		}
	}
	raw, err := d.bytes(total, name+" keys")
	if err != nil {
		return nil, err
	}
	keys := string(raw)
	t := make(map[string]float64, n)
	off := 0
	for i, l := range lens {
		v, err := d.float(name)
		if err != nil {
			return nil, err
		}
		k := keys[off : off+l]
		off += l
		if _, dup := t[k]; dup {
			return nil, fmt.Errorf("%s: key %d (%q) appears twice", name, i, k)
		}
		t[k] = v
	}
	return t, nil
}

// check reports why md is not a fitted model: parameters of the wrong shape, or values no fit
// gives (not finite, a probability outside [0, 1], a name share outside (0, 1]).
func (md *Model) check() error {
	for f := range numFields {
		k := len(levelsOf(f))
		for _, p := range [][]float64{md.m[f], md.u[f], md.uCand[f], md.w[f]} {
			if len(p) != k {
				return fmt.Errorf("field %s has %d parameters per level kind, want %d", fieldName(f), len(p), k)
			}
		}
		for l := range k {
			for _, p := range [][]float64{md.m[f], md.u[f], md.uCand[f]} {
				if !(p[l] >= 0 && p[l] <= 1) {
					return fmt.Errorf("field %s level %s: probability %v outside [0, 1]", fieldName(f), levelsOf(f)[l], p[l])
				}
			}
			if math.IsNaN(md.w[f][l]) || math.IsInf(md.w[f][l], 0) {
				return fmt.Errorf("field %s level %s: weight %v", fieldName(f), levelsOf(f)[l], md.w[f][l])
			}
		}
	}
	if !(md.lambda >= 0 && md.lambda <= 1) || math.IsNaN(md.prior) || math.IsInf(md.prior, 0) {
		return fmt.Errorf("lambda %v or prior %v out of range", md.lambda, md.prior)
	}
	for _, t := range md.tables() {
		for k, v := range t {
			if !(v > 0 && v <= 1) {
				return fmt.Errorf("name %q has share %v, outside (0, 1]", k, v)
			}
		}
	}
	return nil
}

// Equal reports whether two models are the same, bit for bit; a nil model equals only nil.
// (It also lets go-cmp compare results.)
func (md *Model) Equal(o *Model) bool {
	if md == nil || o == nil {
		return md == o
	}
	if md.iterations != o.iterations || md.converged != o.converged || md.randomPairs != o.randomPairs ||
		!sameFloat(md.lambda, o.lambda) || !sameFloat(md.prior, o.prior) {
		return false
	}
	for f := range numFields {
		for _, p := range [][2][]float64{{md.m[f], o.m[f]}, {md.u[f], o.u[f]}, {md.uCand[f], o.uCand[f]}, {md.w[f], o.w[f]}} {
			if !slices.EqualFunc(p[0], p[1], sameFloat) {
				return false
			}
		}
	}
	ta, tb := md.tables(), o.tables()
	for i := range ta {
		if len(ta[i]) != len(tb[i]) {
			return false
		}
		for k, v := range ta[i] {
			if w, ok := tb[i][k]; !ok || !sameFloat(v, w) {
				return false
			}
		}
	}
	return true
}

func sameFloat(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) }
