package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// Languages the application speaks, the first being the default.
func languages() []string { return []string{"en", "fr", "nl"} }

// Lang is one language's strings and number format.
type Lang struct {
	Code string
	m    map[string]string
}

// T returns the string of key, formatted with args (fmt verbs); a missing key shows as itself,
// so that a gap is visible rather than blank.
func (l *Lang) T(key string, args ...any) string {
	s, ok := l.m[key]
	if !ok {
		return key
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// Has reports whether key has a string.
func (l *Lang) Has(key string) bool { _, ok := l.m[key]; return ok }

// Num formats a count with the language's thousands separator.
func (l *Lang) Num(v int64) string {
	s := strconv.FormatInt(v, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	sep := ","
	switch l.Code {
	case "fr":
		sep = "\u202f"
	case "nl":
		sep = "."
	}
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// loadLanguages reads the embedded i18n/<lang>.json files.
func loadLanguages() (map[string]*Lang, error) {
	out := map[string]*Lang{}
	for _, code := range languages() {
		b, err := assets.ReadFile("i18n/" + code + ".json")
		if err != nil {
			return nil, err
		}
		l := &Lang{Code: code}
		if err := json.Unmarshal(b, &l.m); err != nil {
			return nil, fmt.Errorf("i18n/%s.json: %w", code, err)
		}
		out[code] = l
	}
	return out, nil
}

// pickLanguage chooses the language of a request: the lang parameter, else the lang cookie, else
// the browser's Accept-Language, else English.
func pickLanguage(r *http.Request) string {
	ok := func(s string) bool {
		for _, l := range languages() {
			if s == l {
				return true
			}
		}
		return false
	}
	if l := r.URL.Query().Get("lang"); ok(l) {
		return l
	}
	if c, err := r.Cookie(langCookie); err == nil && ok(c.Value) {
		return c.Value
	}
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag := strings.ToLower(strings.TrimSpace(strings.SplitN(part, ";", 2)[0]))
		if len(tag) >= 2 && ok(tag[:2]) {
			return tag[:2]
		}
	}
	return languages()[0]
}
