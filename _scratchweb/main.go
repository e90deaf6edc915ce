package main

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"os"
	"time"

	"github.com/duckdb/duckdb-go/v2"
)

func must(err error) {
	if err != nil {
		panic(err)
	}
}

func main() {
	ctx := context.Background()
	os.Remove("/tmp/sc.duckdb")
	db, _ := sql.Open("duckdb", "/tmp/sc.duckdb")
	_, err := db.Exec("CREATE TABLE indicator AS SELECT range AS x, 'a' AS s FROM range(10)")
	must(err)
	db.Close()

	c, err := duckdb.NewConnector("", func(ex driver.ExecerContext) error {
		_, err := ex.ExecContext(ctx, "USE canvas", nil)
		return err
	})
	fmt.Println("connector", err)
	// first: attach using a raw conn before init? init runs USE canvas which fails before attach.
	_ = c
	c2, _ := duckdb.NewConnector("", nil)
	boot := sql.OpenDB(c2)
	boot.SetMaxOpenConns(1)
	for _, s := range []string{"ATTACH '/tmp/sc.duckdb' AS canvas (READ_ONLY)", "SET enable_external_access=false", "SET autoinstall_known_extensions=false", "SET autoload_known_extensions=false", "SET lock_configuration=true"} {
		_, err := boot.Exec(s)
		fmt.Println(s, err)
	}
	boot.SetMaxOpenConns(4)
	conns := []*sql.Conn{}
	for i := 0; i < 3; i++ {
		cn, err := boot.Conn(ctx)
		must(err)
		conns = append(conns, cn)
		_, err = cn.ExecContext(ctx, "USE canvas")
		fmt.Println("use", i, err)
		var n int
		err = cn.QueryRowContext(ctx, "SELECT count(*) FROM indicator").Scan(&n)
		fmt.Println("count", n, err)
	}
	for _, q := range []string{"SELECT * FROM read_csv('/etc/passwd')", "ATTACH '/tmp/x.duckdb' AS y", "SET enable_external_access=true", "COPY (SELECT 1) TO '/tmp/out.csv'", "INSERT INTO canvas.indicator VALUES (1,'b')", "CREATE TABLE t AS SELECT 1", "SELECT * FROM query('SELECT 1')", "SELECT getenv('HOME')", "INSTALL httpfs", "LOAD json", "SELECT * FROM duckdb_databases()"} {
		rows, err := conns[0].QueryContext(ctx, q)
		if err == nil {
			cols, _ := rows.Columns()
			fmt.Println("OK?", q, cols)
			rows.Close()
		} else {
			fmt.Println("ERR", q, "->", err)
		}
	}
	var js string
	for _, q := range []string{"SELECT 1; SELECT 2", "DESCRIBE indicator", "WITH a AS (SELECT 1) SELECT * FROM a", "ATTACH 'x'", "SELECT * FROM read_csv('x')", "FROM indicator", "SHOW TABLES", "SUMMARIZE indicator", "EXPLAIN SELECT 1", "SELECT 1 UNION SELECT 2", "VALUES (1)", "TABLE indicator"} {
		err := conns[1].QueryRowContext(ctx, "SELECT json_serialize_sql(?::VARCHAR)::VARCHAR", q).Scan(&js)
		if len(js) > 300 {
			js = js[:300]
		}
		fmt.Println("JSON", q, "=>", js, err)
	}
	for _, q := range []string{"SELECT * FROM (DESCRIBE indicator) LIMIT 2", "SELECT * FROM (SHOW TABLES) LIMIT 2", "SELECT * FROM (SUMMARIZE indicator) LIMIT 2", "SELECT * FROM (FROM indicator) LIMIT 2", "SELECT * FROM (TABLE indicator) LIMIT 2", "SELECT * FROM (VALUES (1)) LIMIT 2", "SELECT * FROM (EXPLAIN SELECT 1) LIMIT 2", "SELECT * FROM (PRAGMA table_info('indicator')) LIMIT 2", "SELECT * FROM (SELECT 1 ; ) LIMIT 2", "SELECT * FROM (SELECT 1 -- c\n) LIMIT 2"} {
		rows, err := conns[0].QueryContext(ctx, q)
		if err == nil { rows.Close() }
		fmt.Println("SUB", q, err)
	}
}
