package main

import (
	"fmt"
	"net"
	"time"

	"github.com/ciatteh/canvas/members"
	"github.com/ciatteh/canvas/web"
	"github.com/spf13/cobra"
)

// ServeOptions are the flags of canvas serve.
type ServeOptions struct {
	Addr       string
	SQLTimeout time.Duration
	SQLMaxRows int
	SQLMemory  string
	TLSCert    string
	TLSKey     string
}

func newServeCmd(g *Globals) *cobra.Command {
	o := &ServeOptions{}
	c := &cobra.Command{
		Use:   "serve",
		Short: "Serve the web application over the shared canvas to members (read-only; see canvas members)",
		Long: `Serve the members' web application over the shared canvas, <store>/canvas.duckdb: overview,
tables by breakdown (suppression policy applied), downloads, and a SQL page. Only members with a
token get in (canvas members add NAME). The restricted store is never opened. When the nightly run
publishes a new canvas, the next request shows it; requests under way finish on the old one.`,
		Example: `  canvas members add "Myria analyst"    # prints the token once
  canvas serve --addr 127.0.0.1:8080`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ms, err := members.Open(g.Store)
			if err != nil {
				return err
			}
			if (o.TLSCert == "") != (o.TLSKey == "") {
				return usageError{fmt.Errorf("give both --tls-cert and --tls-key, or neither")}
			}
			cfg := web.DefaultConfig(g.Store, ms)
			cfg.SQLTimeout, cfg.SQLMaxRows, cfg.Secure = o.SQLTimeout, o.SQLMaxRows, o.TLSCert != ""
			if o.SQLMemory != "" {
				cfg.SQLMemory = o.SQLMemory
			}
			if g.Threads > 0 {
				cfg.SQLThreads = g.Threads
			}
			s, err := web.New(cfg)
			if err != nil {
				return err
			}
			return web.ListenAndServe(cmd.Context(), o.Addr, s, o.TLSCert, o.TLSKey, func(a net.Addr) {
				scheme := "http"
				if o.TLSCert != "" {
					scheme = "https"
				}
				fmt.Fprintf(cmd.ErrOrStderr(), "canvas: serving the shared canvas of %s at %s://%s/ (Ctrl-C to stop)\n", g.Store, scheme, a)
				if ta, ok := a.(*net.TCPAddr); ok && !ta.IP.IsLoopback() && o.TLSCert == "" {
					fmt.Fprintln(cmd.ErrOrStderr(), "canvas: warning: listening beyond localhost without TLS: tokens and cookies cross the network in clear; use --tls-cert/--tls-key or a TLS proxy")
				}
			})
		},
	}
	f := c.Flags()
	f.StringVar(&o.Addr, "addr", "127.0.0.1:8080", "address to listen on (put a TLS proxy in front, or use --tls-cert, beyond localhost)")
	f.DurationVar(&o.SQLTimeout, "sql-timeout", 10*time.Second, "time limit of a query on the SQL page")
	f.IntVar(&o.SQLMaxRows, "sql-max-rows", 10000, "row limit of a query on the SQL page")
	f.StringVar(&o.SQLMemory, "sql-memory", "1GB", "DuckDB memory limit of the SQL page")
	f.StringVar(&o.TLSCert, "tls-cert", "", "serve HTTPS with this certificate (PEM)")
	f.StringVar(&o.TLSKey, "tls-key", "", "key of --tls-cert (PEM)")
	return c
}
