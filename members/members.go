// Package members keeps the list of CIATTEH members who may use the shared canvas through the web
// application (canvas serve), and checks their access tokens.
//
// A member's token is shown once, when the member is added; only its SHA-256 hash is kept, in
// members.json in the store folder (owner-only, 0600; never in the canvas). Tokens are 32 random
// bytes, base64url without padding, so a hash cannot be reversed by guessing. The server re-reads
// the file when it changes, so that "canvas members revoke" takes effect at once.
package members

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"sync"
	"time"
)

// FileName is the members file inside a store folder.
const FileName = "members.json"

// tokenBytes is the number of random bytes in a token.
const tokenBytes = 32

// Errors a caller can test for.
var (
	ErrExists   = errors.New("member already exists")
	ErrNotFound = errors.New("no such member")
	ErrBadName  = errors.New("member name must be 1 to 64 letters, digits, spaces or . _ - @")
)

// Member is one member as kept in members.json.
type Member struct {
	Name    string     `json:"name"`
	Hash    string     `json:"sha256"` // hex SHA-256 of the token
	Created time.Time  `json:"created"`
	Revoked *time.Time `json:"revoked,omitempty"`
}

// Active reports whether the member may sign in.
func (m Member) Active() bool { return m.Revoked == nil }

type file struct {
	Members []Member `json:"members"`
}

// Store is the members file of one store folder. It is safe for concurrent use; it re-reads the
// file whenever its size or modification time changes, so several processes may share it.
type Store struct {
	path string

	mu      sync.Mutex
	members []Member
	stamp   fileStamp
}

type fileStamp struct {
	size  int64
	mtime time.Time
	ok    bool
}

// Open returns the members file of store folder dir. The file need not exist yet.
func Open(dir string) (*Store, error) {
	if dir == "" {
		return nil, errors.New("no store folder given: use --store DIR or set CANVAS_STORE")
	}
	return &Store{path: filepath.Join(dir, FileName)}, nil
}

// Path is the members file's path.
func (s *Store) Path() string { return s.path }

var nameRE = regexp.MustCompile(`^[\p{L}\p{N} ._@-]{1,64}$`)

// Hash returns the hex SHA-256 of a token, as stored.
func Hash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// NewToken returns a fresh random token: 32 bytes, base64url without padding.
func NewToken() (string, error) {
	b := make([]byte, tokenBytes)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generating a token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// Add adds a member and returns their token, which is not stored and cannot be shown again.
func (s *Store) Add(name string) (string, error) {
	if !nameRE.MatchString(name) {
		return "", fmt.Errorf("%w: %q", ErrBadName, name)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.reloadLocked(); err != nil {
		return "", err
	}
	for _, m := range s.members {
		if m.Name == name {
			if m.Active() {
				return "", fmt.Errorf("%w: %q (revoke it first to issue a new token)", ErrExists, name)
			}
		}
	}
	tok, err := NewToken()
	if err != nil {
		return "", err
	}
	next := make([]Member, 0, len(s.members)+1)
	for _, m := range s.members {
		if m.Name != name { // a revoked member of the same name is replaced
			next = append(next, m)
		}
	}
	next = append(next, Member{Name: name, Hash: Hash(tok), Created: time.Now().UTC().Truncate(time.Second)})
	if err := s.writeLocked(next); err != nil {
		return "", err
	}
	return tok, nil
}

// Revoke revokes a member's token; the member can no longer sign in, and open sessions end.
func (s *Store) Revoke(name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.reloadLocked(); err != nil {
		return err
	}
	next := append([]Member(nil), s.members...)
	found := false
	for i := range next {
		if next[i].Name == name && next[i].Active() {
			now := time.Now().UTC().Truncate(time.Second)
			next[i].Revoked = &now
			found = true
		}
	}
	if !found {
		return fmt.Errorf("%w with an active token: %q (see canvas members list)", ErrNotFound, name)
	}
	return s.writeLocked(next)
}

// List returns the members, sorted by name, without their hashes.
func (s *Store) List() ([]Member, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.reloadLocked(); err != nil {
		return nil, err
	}
	out := make([]Member, len(s.members))
	for i, m := range s.members {
		m.Hash = ""
		out[i] = m
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Verify returns the active member whose token this is. It compares the token's hash with every
// member's in constant time, so the time taken says nothing about which hashes are close.
func (s *Store) Verify(token string) (Member, bool) {
	if token == "" || len(token) > 256 {
		return Member{}, false
	}
	h := []byte(Hash(token))
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.reloadLocked(); err != nil {
		return Member{}, false
	}
	var found Member
	ok := 0
	for _, m := range s.members {
		eq := subtle.ConstantTimeCompare(h, []byte(m.Hash))
		if eq == 1 && m.Active() {
			found = m
			ok = 1
		}
	}
	return found, ok == 1
}

// IsActive reports whether a member of that name exists and is not revoked (sessions check it on
// every request, so a revocation ends them).
func (s *Store) IsActive(name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.reloadLocked(); err != nil {
		return false
	}
	for _, m := range s.members {
		if m.Name == name && m.Active() {
			return true
		}
	}
	return false
}

// reloadLocked re-reads the file when it changed since the last read.
func (s *Store) reloadLocked() error {
	st, err := os.Stat(s.path)
	if errors.Is(err, os.ErrNotExist) {
		s.members, s.stamp = nil, fileStamp{}
		return nil
	}
	if err != nil {
		return fmt.Errorf("members file %s: %w", s.path, err)
	}
	stamp := fileStamp{size: st.Size(), mtime: st.ModTime(), ok: true}
	if stamp == s.stamp {
		return nil
	}
	b, err := os.ReadFile(s.path)
	if err != nil {
		return fmt.Errorf("members file %s: %w", s.path, err)
	}
	var f file
	if err := json.Unmarshal(b, &f); err != nil {
		return fmt.Errorf("members file %s is damaged (%v): restore it from a backup or remove it and add the members again", s.path, err)
	}
	s.members, s.stamp = f.Members, stamp
	return nil
}

// writeLocked writes the file atomically (a temporary file renamed over it), owner-only.
func (s *Store) writeLocked(ms []Member) error {
	dir := filepath.Dir(s.path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("creating store folder %s: %w", dir, err)
	}
	b, err := json.MarshalIndent(file{Members: ms}, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".members-*.json")
	if err != nil {
		return fmt.Errorf("writing members file: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("writing members file: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), s.path); err != nil {
		return fmt.Errorf("writing members file %s: %w", s.path, err)
	}
	s.members = ms
	s.stamp = fileStamp{}
	return s.reloadLocked()
}
