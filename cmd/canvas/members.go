package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/ciatteh/canvas/members"
	"github.com/spf13/cobra"
)

func newMembersCmd(g *Globals) *cobra.Command {
	c := &cobra.Command{
		Use:   "members",
		Short: "Manage who may use the web application (canvas serve): add, list, revoke",
	}
	c.AddCommand(&cobra.Command{
		Use:   "add NAME",
		Short: "Add a member and print their access token (shown once; only its hash is kept)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := members.Open(g.Store)
			if err != nil {
				return err
			}
			tok, err := s.Add(args[0])
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), tok)
			if !g.Quiet {
				fmt.Fprintf(cmd.ErrOrStderr(), "canvas: member %q added; give them the token above through a safe channel: it cannot be shown again\n", args[0])
			}
			return nil
		},
	})
	c.AddCommand(&cobra.Command{
		Use:   "list",
		Short: "List members: name, when added, when revoked",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := members.Open(g.Store)
			if err != nil {
				return err
			}
			ms, err := s.List()
			if err != nil {
				return err
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "NAME\tADDED\tSTATUS")
			for _, m := range ms {
				status := "active"
				if m.Revoked != nil {
					status = "revoked " + m.Revoked.Local().Format("2006-01-02 15:04")
				}
				fmt.Fprintf(w, "%s\t%s\t%s\n", m.Name, m.Created.Local().Format("2006-01-02 15:04"), status)
			}
			return w.Flush()
		},
	})
	c.AddCommand(&cobra.Command{
		Use:   "revoke NAME",
		Short: "Revoke a member's token: they cannot sign in any more and their open sessions end",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := members.Open(g.Store)
			if err != nil {
				return err
			}
			return s.Revoke(args[0])
		},
	})
	return c
}
