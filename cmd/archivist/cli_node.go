package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/archivist-desktop/archivist/internal/cli"
)

// withNodeControl adds start, stop and restart to `archivist node`, which
// itself runs a storage node: these ask the running app to start, stop or
// restart the node it supervises. Their flags are their own, so none of
// them reaches the node's archivist-node compatible flag set.
func withNodeControl(node *cobra.Command) *cobra.Command {
	for _, a := range []struct {
		action cli.NodeAction
		short  string
	}{
		{cli.NodeStart, "Start the running Archivist's node (returns once it is ready)"},
		{cli.NodeStop, "Stop the running Archivist's node"},
		{cli.NodeRestart, "Restart the running Archivist's node (returns once it is ready)"},
	} {
		node.AddCommand(nodeControlCommand(a.action, a.short))
	}
	return node
}

func nodeControlCommand(action cli.NodeAction, short string) *cobra.Command {
	var f cliFlags
	cmd := &cobra.Command{
		Use:   string(action),
		Short: short,
		Long: short + ", through the app that supervises it.\n" +
			"With --json: the node's status afterwards, as GET /api/node/status answers.",
		Args: args(0, 0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := f.connect()
			if err != nil {
				return err
			}
			if action != cli.NodeStop {
				f.note(cmd, "Waiting for the node to %s…", action)
			}
			st, err := c.Node(cmd.Context(), action)
			if err != nil {
				return err
			}
			if f.json {
				return cli.WriteJSON(cmd.OutOrStdout(), st.Raw)
			}
			msg := "Node " + st.State
			if st.PID > 0 {
				msg += fmt.Sprintf(" (pid %d", st.PID)
				if up, ok := st.Uptime(time.Now()); ok && up >= time.Second {
					msg += ", up " + cli.FormatUptime(up)
				}
				msg += ")"
			}
			if st.LastError != "" && st.State != "running" {
				msg += ": " + oneLine(st.LastError)
			}
			_, err = fmt.Fprintln(cmd.OutOrStdout(), msg)
			return err
		},
	}
	f.register(cmd, false)
	return cliCommand(cmd)
}
