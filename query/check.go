package query

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// ErrNotAllowed is returned by Check for a statement that is not a single read query.
var ErrNotAllowed = errors.New("not allowed")

// maxSQL bounds the length of a statement accepted by Check.
const maxSQL = 100_000

// Check returns q as it will run (trailing semicolons and blanks removed) when it is a single read
// statement: SELECT, WITH ... SELECT, FROM, VALUES, TABLE, DESCRIBE, SHOW or SUMMARIZE. DuckDB's
// own parser decides (json_serialize_sql serialises SELECT-like statements only), so ATTACH, COPY,
// INSTALL, LOAD, SET, PRAGMA, CALL, EXPORT, CREATE, INSERT and their like are refused before they
// run; so are functions that read files or run SQL given as text (read_csv, read_parquet, glob,
// query, ...) and tables named by a file path.
func (e *Engine) Check(ctx context.Context, q string) (string, error) {
	q = strings.TrimSpace(q)
	for strings.HasSuffix(q, ";") {
		q = strings.TrimSpace(strings.TrimSuffix(q, ";"))
	}
	if q == "" {
		return "", fmt.Errorf("%w: the query is empty", ErrNotAllowed)
	}
	if len(q) > maxSQL {
		return "", fmt.Errorf("%w: the query is longer than %d characters", ErrNotAllowed, maxSQL)
	}
	if strings.ContainsRune(q, 0) {
		return "", fmt.Errorf("%w: the query holds a NUL character", ErrNotAllowed)
	}
	var js string
	if err := e.db.QueryRowContext(ctx, "SELECT json_serialize_sql(?::VARCHAR)::VARCHAR", q).Scan(&js); err != nil {
		return "", fmt.Errorf("checking the query: %w", err)
	}
	var tree struct {
		Error        bool              `json:"error"`
		ErrorType    string            `json:"error_type"`
		ErrorMessage string            `json:"error_message"`
		Statements   []json.RawMessage `json:"statements"`
	}
	if err := json.Unmarshal([]byte(js), &tree); err != nil {
		return "", fmt.Errorf("checking the query: %w", err)
	}
	if tree.Error {
		if tree.ErrorType == "not implemented" || strings.Contains(tree.ErrorMessage, "Only SELECT") {
			return "", fmt.Errorf("%w: %s", ErrNotAllowed, onlyReads)
		}
		return "", &SQLError{Msg: "Parser Error: " + tree.ErrorMessage}
	}
	if len(tree.Statements) != 1 {
		return "", fmt.Errorf("%w: give one statement at a time (found %d)", ErrNotAllowed, len(tree.Statements))
	}
	var node any
	if err := json.Unmarshal(tree.Statements[0], &node); err != nil {
		return "", fmt.Errorf("checking the query: %w", err)
	}
	if err := walk(node); err != nil {
		return "", err
	}
	return q, nil
}

const onlyReads = "only a single read query is allowed (SELECT, WITH, FROM, VALUES, TABLE, DESCRIBE, SHOW, SUMMARIZE); " +
	"statements such as ATTACH, COPY, INSTALL, LOAD, SET, PRAGMA, CALL, EXPORT, CREATE or INSERT are refused"

// walk refuses functions and table references that reach outside the attached database.
func walk(n any) error {
	switch v := n.(type) {
	case map[string]any:
		if name, ok := v["function_name"].(string); ok && deniedFunction(name) {
			return fmt.Errorf("%w: function %s reads files or runs SQL text; query the canvas's tables instead", ErrNotAllowed, name)
		}
		if t, _ := v["type"].(string); t == "BASE_TABLE" {
			if name, ok := v["table_name"].(string); ok && looksLikePath(name) {
				return fmt.Errorf("%w: %q is a file, not a table of the canvas", ErrNotAllowed, name)
			}
		}
		for _, c := range v {
			if err := walk(c); err != nil {
				return err
			}
		}
	case []any:
		for _, c := range v {
			if err := walk(c); err != nil {
				return err
			}
		}
	}
	return nil
}

func deniedFunction(name string) bool {
	n := strings.ToLower(name)
	switch {
	case strings.HasPrefix(n, "read_"), strings.HasSuffix(n, "_scan"), strings.HasPrefix(n, "parquet_"),
		strings.HasPrefix(n, "iceberg_"), strings.HasPrefix(n, "delta_"), strings.HasPrefix(n, "sqlite_"),
		strings.HasPrefix(n, "postgres_"), strings.HasPrefix(n, "mysql_"), strings.HasPrefix(n, "http_"):
		return true
	}
	if strings.HasPrefix(n, "pragma_") { // database_list, storage_info, ... tell about files and the server
		return n != "pragma_table_info" && n != "pragma_show"
	}
	switch n {
	case "glob", "query", "query_table", "sniff_csv", "json_execute_serialized_sql",
		"duckdb_secrets", "which_secret", "duckdb_settings", "duckdb_databases", "duckdb_temporary_files",
		"duckdb_extensions", "current_setting", "getenv", "load_aws_credentials":
		return true
	}
	return false
}

func looksLikePath(name string) bool {
	return strings.ContainsAny(name, `/\`) || strings.Contains(name, "://") ||
		strings.HasSuffix(strings.ToLower(name), ".csv") || strings.HasSuffix(strings.ToLower(name), ".parquet") ||
		strings.HasSuffix(strings.ToLower(name), ".json") || strings.HasSuffix(strings.ToLower(name), ".duckdb")
}
