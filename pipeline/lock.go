package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"time"

	"github.com/gofrs/flock"
)

// LockHolder describes the process that holds a store's lock.
type LockHolder struct {
	PID     int       `json:"pid"`
	Host    string    `json:"host"`
	User    string    `json:"user"`
	Command string    `json:"command"`
	Since   time.Time `json:"since"`
}

func (h LockHolder) String() string {
	return fmt.Sprintf("process %d (%s) of %s on %s, running since %s", h.PID, h.Command, h.User, h.Host,
		h.Since.Format(time.RFC3339))
}

// ErrLocked is returned when another process holds the store's lock and the caller did not wait.
var ErrLocked = errors.New("store is locked")

// Lock takes the store folder's exclusive lock for a run that writes (load, build, review):
// a second writer waits up to wait, or stops with a message naming the running process. The
// lock is an OS file lock, so it is released when the process dies, even by SIGKILL.
func Lock(ctx context.Context, dir, command string, wait time.Duration) (release func(), err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating store folder %s: %w", dir, err)
	}
	path := filepath.Join(dir, LockFile)
	fl := flock.New(path)
	deadline := time.Now().Add(wait)
	for {
		ok, err := fl.TryLock()
		if err != nil {
			return nil, fmt.Errorf("locking store %s: %w", dir, err)
		}
		if ok {
			break
		}
		if time.Now().After(deadline) {
			holder := readHolder(path + ".info")
			msg := fmt.Sprintf("%v: %s is in use by %s", ErrLocked, dir, holder)
			if wait == 0 {
				msg += "; wait for it to finish, or use --wait DURATION"
			} else {
				msg += fmt.Sprintf("; still busy after waiting %s", wait)
			}
			return nil, errors.New(msg)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
	host, _ := os.Hostname()
	h := LockHolder{PID: os.Getpid(), Host: host, User: currentUser(), Command: command, Since: time.Now().UTC()}
	b, _ := json.Marshal(h)
	_ = os.WriteFile(path+".info", b, 0o600)
	return func() {
		_ = os.Remove(path + ".info")
		_ = fl.Unlock()
	}, nil
}

func readHolder(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "another process (no details recorded)"
	}
	var h LockHolder
	if json.Unmarshal(b, &h) != nil {
		return "another process (" + strings.TrimSpace(string(b)) + ")"
	}
	return h.String()
}

func currentUser() string {
	for _, v := range []string{"USER", "LOGNAME", "USERNAME"} {
		if u := os.Getenv(v); u != "" {
			return u
		}
	}
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return fmt.Sprintf("uid %d", os.Getuid())
}
