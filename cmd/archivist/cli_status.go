package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/archivist-desktop/archivist/internal/cli"
)

func statusCommand() *cobra.Command {
	var f cliFlags
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show the running Archivist and its node: state, uptime, peer ID, storage, addresses",
		Long: "Show the running Archivist (version, process, address) and its storage node (state,\n" +
			"process, uptime, peer ID, storage used of the quota, listen addresses, last error).\n" +
			"With --json: {\"app\": /api/version, \"instance\": {url, pid}, \"node\": /api/node/status}.\n" +
			"A stopped node is a state, not an error: status exits 0 while the app answers.",
		Args: args(0, 0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := f.connect()
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			v, err := c.Version(ctx)
			if err != nil {
				return err
			}
			st, err := c.NodeStatus(ctx)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if f.json {
				return cli.WriteValue(out, map[string]any{
					"app":      v.Raw,
					"instance": map[string]any{"url": c.URL(), "pid": c.PID()},
					"node":     st.Raw,
				})
			}
			t := cli.NewTable(out)
			app := "Archivist " + v.Version
			if v.Revision != "" && v.Revision != "unknown" {
				app += " (" + shortRev(v.Revision) + ")"
			}
			if c.PID() > 0 {
				app += fmt.Sprintf(", pid %d", c.PID())
			}
			t.Row("App", app+", "+c.URL())
			node := st.State
			if st.PID > 0 {
				node += fmt.Sprintf(", pid %d", st.PID)
			}
			if up, ok := st.Uptime(time.Now()); ok {
				node += ", up " + cli.FormatUptime(up)
			}
			if st.GaveUp {
				node += " (gave up restarting)"
			} else if st.NextRestartAt != nil {
				node += ", restarting at " + st.NextRestartAt.Local().Format("15:04:05")
			}
			t.Row("Node", node)
			if st.Version != "" {
				t.Row("Node version", st.Version)
			}
			if st.PeerID != "" {
				t.Row("Peer ID", st.PeerID)
			}
			if st.PeerCount != nil {
				t.Row("Peers", fmt.Sprint(*st.PeerCount))
			}
			if st.StorageQuotaBytes > 0 || st.StorageUsedBytes > 0 {
				t.Row("Storage", fmt.Sprintf("%s used of %s (%s available, %d blocks)",
					cli.FormatBytes(int64(st.StorageUsedBytes)), cli.FormatBytes(int64(st.StorageQuotaBytes)),
					cli.FormatBytes(int64(st.StorageAvailableBytes)), st.TotalBlocks))
			}
			addrs := st.AnnounceAddresses
			if len(addrs) == 0 {
				addrs = st.Addresses
			}
			for i, a := range addrs {
				label := ""
				if i == 0 {
					label = "Addresses"
				}
				t.Row(label, a)
			}
			if st.DataDir != "" {
				t.Row("Data", st.DataDir)
			}
			if st.LastError != "" {
				t.Row("Last error", oneLine(st.LastError))
			}
			return t.Flush()
		},
	}
	f.register(cmd, false)
	return cliCommand(cmd)
}

func shortRev(r string) string {
	if len(r) > 12 {
		return r[:12]
	}
	return r
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// rawOr returns raw, or v as JSON when the API sent no body.
func rawOr(raw json.RawMessage, v any) json.RawMessage {
	if len(raw) > 0 {
		return raw
	}
	b, _ := json.Marshal(v)
	return b
}
