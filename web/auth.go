package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net"
	"net/http"
	"sync"
	"time"
)

// Cookie names.
const (
	sessionCookie = "canvas_session"
	langCookie    = "canvas_lang"
)

// maxSessions bounds the sessions kept in memory; the oldest go first.
const maxSessions = 10000

// session is a signed-in member's browser. Sessions live in memory only: a restart signs
// everyone out, and no session secret is ever written to disk.
type session struct {
	member  string
	csrf    string
	expires time.Time
}

// sessions maps a session cookie's value to its session.
type sessions struct {
	ttl time.Duration
	mu  sync.Mutex
	m   map[string]*session
}

func newSessions(ttl time.Duration) *sessions {
	return &sessions{ttl: ttl, m: map[string]*session{}}
}

func randomID() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// create starts a session for a member and returns its cookie value.
func (s *sessions) create(member string, now time.Time) (string, *session, error) {
	id, err := randomID()
	if err != nil {
		return "", nil, err
	}
	csrf, err := randomID()
	if err != nil {
		return "", nil, err
	}
	ss := &session{member: member, csrf: csrf, expires: now.Add(s.ttl)}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.m) >= maxSessions {
		var oldest string
		for k, v := range s.m {
			if v.expires.Before(now) {
				delete(s.m, k)
			} else if oldest == "" || v.expires.Before(s.m[oldest].expires) {
				oldest = k
			}
		}
		if len(s.m) >= maxSessions {
			delete(s.m, oldest)
		}
	}
	s.m[id] = ss
	return id, ss, nil
}

// get returns the live session of a cookie value.
func (s *sessions) get(id string, now time.Time) *session {
	if id == "" || len(id) > 100 {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ss := s.m[id]
	if ss == nil {
		return nil
	}
	if now.After(ss.expires) {
		delete(s.m, id)
		return nil
	}
	return ss
}

func (s *sessions) end(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, id)
}

// limiter counts failed sign-ins per client address: after max failures within window, the
// address is refused until the window has passed since its first failure.
type limiter struct {
	max    int
	window time.Duration
	mu     sync.Mutex
	m      map[string]*failures
}

type failures struct {
	n     int
	first time.Time
}

func newLimiter(max int, window time.Duration) *limiter {
	return &limiter{max: max, window: window, m: map[string]*failures{}}
}

func (l *limiter) blocked(addr string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	f := l.m[addr]
	if f == nil {
		return false
	}
	if now.Sub(f.first) > l.window {
		delete(l.m, addr)
		return false
	}
	return f.n >= l.max
}

func (l *limiter) fail(addr string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.m) > 100000 { // a flood of addresses: forget the stale ones
		for k, f := range l.m {
			if now.Sub(f.first) > l.window {
				delete(l.m, k)
			}
		}
	}
	f := l.m[addr]
	if f == nil || now.Sub(f.first) > l.window {
		f = &failures{first: now}
		l.m[addr] = f
	}
	f.n++
}

// clientAddr is the address failed sign-ins are counted against: the connection's IP (a proxy in
// front would need its own limit, since every request would come from it).
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func sameToken(a, b string) bool {
	return len(a) > 0 && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
