package pipeline

import (
	"context"
	"fmt"
	"os"
	"time"
)

// Run outcomes, as written in the run log.
const (
	OutcomeRunning    = "running"
	OutcomeOK         = "ok"
	OutcomeQuarantine = "quarantine" // ok, but rows went to quarantine
	OutcomeFailed     = "failed"
)

// Version is the program version written into the run log.
const Version = "0.1.0"

// StartRun records the start of a run and returns its id. A run that never ends (killed) keeps
// outcome "running" with no end time, which `canvas runs` shows as interrupted.
func (s *Store) StartRun(ctx context.Context, command string) (int64, error) {
	var id int64
	if err := s.DB.QueryRowContext(ctx, `SELECT nextval('run_seq')`).Scan(&id); err != nil {
		return 0, fmt.Errorf("run log: %w", err)
	}
	host, _ := os.Hostname()
	_, err := s.DB.ExecContext(ctx, `INSERT INTO run (run_id, command, started, "user", host, pid, program_version, outcome)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, id, command, time.Now().UTC(), currentUser(), host, os.Getpid(), Version, OutcomeRunning)
	if err != nil {
		return 0, fmt.Errorf("run log: %w", err)
	}
	return id, nil
}

// EndRun writes the run's changes into the database file (a checkpoint: during a run they
// accumulate in DuckDB's write-ahead log, see checkpointThreshold), then records the
// checkpoint as the run's stage "checkpoint" and the run's end and outcome. It uses its own
// context so that a cancelled run is still recorded.
func (s *Store) EndRun(runID int64, outcome, message string) error {
	start := time.Now()
	_, ckErr := s.DB.ExecContext(context.Background(), `CHECKPOINT`)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var stErr error
	if ckErr == nil {
		stErr = s.recordStage(ctx, runID, "checkpoint", start, struct{}{})
	}
	_, err := s.DB.ExecContext(ctx, `UPDATE run SET ended = ?, outcome = ?, message = ? WHERE run_id = ?`,
		time.Now().UTC(), outcome, message, runID)
	if err == nil && stErr != nil {
		err = fmt.Errorf("run log: %w", stErr)
	}
	if ckErr != nil {
		return fmt.Errorf("run log: writing the run into %s: %w (the changes are kept in the write-ahead log %s.wal, which the next run reads)",
			RestrictedFile, ckErr, RestrictedFile)
	}
	return err
}

// RunInfo is one run of the run log with its inputs.
type RunInfo struct {
	ID                    int64
	Command               string
	Started               time.Time
	Ended                 *time.Time
	User, Host            string
	PID                   int
	Outcome, Message      string
	Inputs                []InputInfo
	Read, Loaded, Quarant int64
}

// InputInfo is one input file of a run.
type InputInfo struct {
	Seq                                 int
	Name, Path, SHA256, Source, Outcome string
	Size                                int64
	Read, Loaded, Quarantined, Flagged  int64
	Skipped                             bool
	Message                             string
	Seconds                             float64
}

// Runs returns the latest n runs (all when n <= 0), newest first, with their inputs.
func (s *Store) Runs(ctx context.Context, n int) ([]RunInfo, error) {
	q := `SELECT run_id, command, started, ended, coalesce("user", ''), coalesce(host, ''), coalesce(pid, 0),
		coalesce(outcome, ''), coalesce(message, '') FROM run ORDER BY run_id DESC`
	if n > 0 {
		q += fmt.Sprintf(" LIMIT %d", n)
	}
	rows, err := s.DB.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	var runs []RunInfo
	for rows.Next() {
		var r RunInfo
		var ended *time.Time
		if err := rows.Scan(&r.ID, &r.Command, &r.Started, &ended, &r.User, &r.Host, &r.PID, &r.Outcome, &r.Message); err != nil {
			rows.Close()
			return nil, err
		}
		r.Ended = ended
		runs = append(runs, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range runs {
		in, err := s.inputs(ctx, runs[i].ID)
		if err != nil {
			return nil, err
		}
		runs[i].Inputs = in
		for _, f := range in {
			runs[i].Read += f.Read
			runs[i].Loaded += f.Loaded
			runs[i].Quarant += f.Quarantined
		}
	}
	return runs, nil
}

func (s *Store) inputs(ctx context.Context, runID int64) ([]InputInfo, error) {
	rows, err := s.DB.QueryContext(ctx, `SELECT seq, name, path, coalesce(sha256, ''), coalesce(source, ''), coalesce(outcome, ''),
		coalesce(size, 0), rows_read, rows_loaded, rows_quarantined, rows_flagged, skipped, coalesce(message, ''), coalesce(seconds, 0)
		FROM run_input WHERE run_id = ? ORDER BY seq`, runID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []InputInfo
	for rows.Next() {
		var f InputInfo
		if err := rows.Scan(&f.Seq, &f.Name, &f.Path, &f.SHA256, &f.Source, &f.Outcome, &f.Size, &f.Read, &f.Loaded,
			&f.Quarantined, &f.Flagged, &f.Skipped, &f.Message, &f.Seconds); err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}
