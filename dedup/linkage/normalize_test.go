package linkage

import (
	"math"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"", ""},
		{"  ", ""},
		{"Peeters", "PEETERS"},
		{"d'Hondt-Lévêque", "D HONDT LEVEQUE"},
		{"El-Amrani", "EL AMRANI"},
		{"Öztürk", "OZTURK"},
		{"Yılmaz", "YILMAZ"},
		{"Çelik", "CELIK"},
		{"Aïcha", "AICHA"},
		{"Saïd  ben   Ali", "SAID BEN ALI"},
		{"O'Brien, Jr.", "O BRIEN JR"},
		{"Straße", "STRASSE"},
		{"Łukasz Wałęsa", "LUKASZ WALESA"},
		{"Søren Ærø", "SOREN AERO"},
		{"Đorđević", "DORDEVIC"},
		{"Constanța", "CONSTANTA"},
		{"Jean-Pierre  (alias JP)", "JEAN PIERRE ALIAS JP"},
		{"bad\xffbyte", "BAD BYTE"},
		{"Иван", "ИВАН"},
	}
	for _, tt := range tests {
		if got := Normalize(tt.in); got != tt.want {
			t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestPhoneticVariantsAgree(t *testing.T) {
	groups := [][]string{
		{"Mohammed", "Mohamed", "Muhammad", "Mohamad", "Mohammad", "Mouhamed"},
		{"Mehmed", "Mehmet"},
		{"Yusuf", "Youssef", "Yousef", "Youcef", "Youssouf", "Yussuf"},
		{"Ahmed", "Ahmad", "Ahmet"},
		{"Abdel", "Abdul", "Abdoul"},
		{"Hussein", "Husein", "Hussain", "Houssein", "Husain"},
		{"Abdallah", "Abdullah", "Abdalla"},
		{"Mustafa", "Mustapha", "Moustafa"},
		{"Rachid", "Rashid"},
		{"Khalid", "Khaled"},
		{"Osama", "Oussama", "Usama"},
		{"Djamel", "Jamel"},
		{"Chaoui", "Shaoui"},
		{"Abdelkader", "Abdulkadir", "Abdelkadir"},
		{"Aicha", "Aisha"},
		{"Fatima", "Fatimah"},
	}
	for _, g := range groups {
		want := Phonetic(Normalize(g[0]))
		for _, v := range g[1:] {
			if got := Phonetic(Normalize(v)); got != want {
				t.Errorf("Phonetic(%s) = %q, want %q as for %s", v, got, want, g[0])
			}
		}
	}
}

func TestPhonetic(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"", ""},
		{"MOHAMMED", "M.H.M.T"},
		{"MAHMOUD", "M.HM.T"},
		{"YOUSSEF", "AS.F"},
		{"AHMED", "AHM.T"},
		{"ABDEL", "ABD.L"},
		{"PEETERS", "P.T.RS"},
		{"SCHMIDT", "SM.DT"},
		{"PHILIPPE", "F.L.P."},
		{"CELIK", "S.L.K"},
		{"QUENTIN", "K.NT.N"},
		{"ALEXANDER", "AL.KS.ND.R"},
		{"WOUTERS", "V.T.RS"},
		{"ABDALLAH", "ABD.L."},
		{"ZEYNEP", "S.N.P"},
		{"A", "A"},
		{"3", "3"},
	}
	for _, tt := range tests {
		if got := Phonetic(tt.in); got != tt.want {
			t.Errorf("Phonetic(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestPhoneticKeepsDifferentNamesApart(t *testing.T) {
	pairs := [][2]string{
		{"MOHAMED", "MAHMOUD"},
		{"AHMED", "HAMID"},
		{"KARIM", "KARIMI"},
		{"MEHMET", "MOHAMED"},
		{"SAID", "SAIDA"},
		{"OTHMAN", "OSMAN"},
	}
	for _, p := range pairs {
		if Phonetic(p[0]) == Phonetic(p[1]) {
			t.Errorf("Phonetic(%s) = Phonetic(%s) = %q, want different keys", p[0], p[1], Phonetic(p[0]))
		}
	}
}

func TestJaroWinkler(t *testing.T) {
	tests := []struct {
		a, b string
		want float64
	}{
		{"", "", 1},
		{"ABC", "", 0},
		{"MARTHA", "MARTHA", 1},
		{"MARTHA", "MARHTA", 0.9611},
		{"DWAYNE", "DUANE", 0.84},
		{"DIXON", "DICKSONX", 0.8133},
		{"ABC", "XYZ", 0},
		{"JACOBS", "JACJBS", 0.9222},
		{"ÖZTÜRK", "ÖZTURK", 0.9222},
	}
	for _, tt := range tests {
		got := JaroWinkler(tt.a, tt.b)
		if math.Abs(got-tt.want) > 1e-4 {
			t.Errorf("JaroWinkler(%q, %q) = %.4f, want %.4f", tt.a, tt.b, got, tt.want)
		}
		if back := JaroWinkler(tt.b, tt.a); math.Abs(back-got) > 1e-12 {
			t.Errorf("JaroWinkler(%q, %q) = %.4f, not symmetric (%.4f)", tt.b, tt.a, back, got)
		}
	}
}

func TestNewName(t *testing.T) {
	got := newName("Abdel-Kader  Mohamed")
	want := name{
		norm:    "ABDEL KADER MOHAMED",
		concat:  "ABDELKADERMOHAMED",
		sorted:  "ABDEL KADER MOHAMED",
		ntok:    3,
		phonKey: "ABD.L K.D.R M.H.M.T",
		phonCat: "ABD.LK.D.RM.H.M.T",
		block:   []string{"ABD.L", "K.D.R", "M.H.M.T"},
		ascii:   true,
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(name{})); diff != "" {
		t.Errorf("newName mismatch (-want +got):\n%s", diff)
	}
}

// TestNormalizeConcurrently normalises accented names on several goroutines at once, which share
// the pool of transformers, and requires the results of one goroutine alone.
func TestNormalizeConcurrently(t *testing.T) {
	names := []string{"d'Hondt-Lévêque", "Çelik", "Müller", "Łukasz Ørsted", "José-María", "Nguyễn Thị", "Ōsaka", "plain"}
	want := make([]string, len(names))
	for i, n := range names {
		want[i] = Normalize(n)
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for k := range 2000 {
				i := (g + k) % len(names)
				if got := Normalize(names[i]); got != want[i] {
					t.Errorf("Normalize(%q) = %q on a busy pool, %q alone", names[i], got, want[i])
					return
				}
			}
		})
	}
	wg.Wait()
}
