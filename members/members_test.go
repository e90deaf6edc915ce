package members

import (
	"encoding/base64"
	"errors"
	"os"
	"strings"
	"testing"
)

func TestAddVerifyRevoke(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := s.Add("Myria analyst")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || len(raw) != 32 {
		t.Fatalf("token %q: want 32 bytes base64url, got %d bytes, %v", tok, len(raw), err)
	}
	b, err := os.ReadFile(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), tok) {
		t.Fatal("members file holds the token in clear")
	}
	if !strings.Contains(string(b), Hash(tok)) {
		t.Fatal("members file does not hold the token's hash")
	}
	st, _ := os.Stat(s.Path())
	if st.Mode().Perm() != 0o600 {
		t.Errorf("members file mode %v, want 0600", st.Mode().Perm())
	}
	// A second process (a fresh Store) sees the member.
	s2, _ := Open(dir)
	m, ok := s2.Verify(tok)
	if !ok || m.Name != "Myria analyst" {
		t.Fatalf("Verify = %v, %v", m, ok)
	}
	if _, ok := s2.Verify(tok + "x"); ok {
		t.Fatal("a wrong token verified")
	}
	if _, ok := s2.Verify(""); ok {
		t.Fatal("an empty token verified")
	}
	if _, err := s.Add("Myria analyst"); !errors.Is(err, ErrExists) {
		t.Fatalf("adding twice: %v", err)
	}
	if err := s.Revoke("Myria analyst"); err != nil {
		t.Fatal(err)
	}
	if _, ok := s2.Verify(tok); ok {
		t.Fatal("a revoked token verified in another Store")
	}
	if s2.IsActive("Myria analyst") {
		t.Fatal("revoked member is active")
	}
	if err := s.Revoke("Myria analyst"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("revoking twice: %v", err)
	}
	tok2, err := s.Add("Myria analyst")
	if err != nil {
		t.Fatalf("re-adding a revoked member: %v", err)
	}
	if _, ok := s2.Verify(tok2); !ok {
		t.Fatal("new token does not verify")
	}
	if _, ok := s2.Verify(tok); ok {
		t.Fatal("old token verifies after re-adding")
	}
	list, err := s.List()
	if err != nil || len(list) != 1 || list[0].Hash != "" {
		t.Fatalf("List = %+v, %v", list, err)
	}
}

func TestBadNames(t *testing.T) {
	s, _ := Open(t.TempDir())
	for _, n := range []string{"", strings.Repeat("a", 65), "a\nb", "<script>", "x/y"} {
		if _, err := s.Add(n); !errors.Is(err, ErrBadName) {
			t.Errorf("Add(%q) = %v, want ErrBadName", n, err)
		}
	}
}

func TestDamagedFile(t *testing.T) {
	dir := t.TempDir()
	s, _ := Open(dir)
	if err := os.WriteFile(s.Path(), []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.Verify("anything"); ok {
		t.Fatal("verified against a damaged file")
	}
	if _, err := s.List(); err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Fatalf("List on damaged file: %v", err)
	}
}
