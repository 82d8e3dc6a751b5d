package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/spf13/cobra"

	"github.com/archivist-desktop/archivist/internal/app/peerlink"
	"github.com/archivist-desktop/archivist/internal/cli"
)

func devicesCommand() *cobra.Command {
	var f cliFlags
	cmd := &cobra.Command{
		Use:     "devices",
		Aliases: []string{"device"},
		Short:   "Pair with your other devices: this device's code, add, list, remove",
		Long: "Pair this device with your other devices: print this device's share code\n" +
			"(`devices code`), paste it on the other device (`devices add CODE`), and see\n" +
			"which devices are paired and connected (`devices ls`).",
	}
	f.register(cmd, true)
	return groupCommand(cmd, devicesLsCommand(&f), devicesCodeCommand(&f), devicesAddCommand(&f), devicesRmCommand(&f), devicesApproveCommand(&f))
}

func devicesLsCommand(f *cliFlags) *cobra.Command {
	return &cobra.Command{
		Use:     "ls",
		Aliases: []string{"list"},
		Short:   "List paired devices (and other peers the node sees)",
		Long: "List the paired devices: name, peer ID, connected or not, latency, last seen;\n" +
			"then the other peers the node is connected to that are not paired.\n" +
			"With --json: the API's {\"devices\": [...], \"otherPeers\": [...]}.",
		Args: args(0, 0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := f.connect()
			if err != nil {
				return err
			}
			l, err := c.Devices(cmd.Context())
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if f.json {
				return cli.WriteJSON(out, l.Raw)
			}
			live := l.Live == nil || *l.Live
			if len(l.Devices) == 0 {
				f.note(cmd, "No paired devices. Pair one: run `archivist devices code` there, then `archivist devices add CODE` here.")
			} else {
				t := cli.NewTable(out, "NAME", "PEER ID", "STATUS", "LATENCY", "LAST SEEN")
				for _, d := range l.Devices {
					state := connState(d.Connected)
					if !live && !d.Connected {
						state = "unknown"
					}
					t.Row(orDash(d.Nickname), d.PeerID, state, latency(d.LatencyMs), lastSeen(d))
				}
				if err := t.Flush(); err != nil {
					return err
				}
				for _, d := range l.Devices {
					if d.LastError != "" && !d.Connected {
						f.note(cmd, "%s: %s", orDash(cli.Clean(d.Nickname)), cli.Clean(oneLine(d.LastError)))
					}
				}
			}
			switch {
			case l.NodeRunning != nil && !*l.NodeRunning:
				f.note(cmd, "The node is not running: connection states are unknown.")
			case !live && l.LiveError != "":
				f.note(cmd, "Connection states are unknown: %s", cli.Clean(oneLine(l.LiveError)))
			}
			if len(l.OtherPeers) > 0 {
				if len(l.Devices) > 0 {
					fmt.Fprintln(out)
				}
				fmt.Fprintln(out, "Other peers (not paired):")
				t := cli.NewTable(out, "PEER ID", "STATUS", "LATENCY", "AGENT", "ADDRESS")
				for _, p := range l.OtherPeers {
					addr := "-"
					if len(p.Addresses) > 0 {
						addr = p.Addresses[0]
					}
					t.Row(p.PeerID, connState(p.Connected), latency(p.LatencyMs), orDash(p.AgentVersion), addr)
				}
				return t.Flush()
			}
			return nil
		},
	}
}

func devicesCodeCommand(f *cliFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "code",
		Short: "Print this device's share code, to add it on another device",
		Long: "Print this device's share code: run `archivist devices add CODE` with it on\n" +
			"your other device. With --quiet only the code is printed (for scripts).\n" +
			"With --json: the API's {\"peerId\", \"spr\", \"addresses\", \"multiaddr\"}.",
		Args: args(0, 0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := f.connect()
			if err != nil {
				return err
			}
			dc, err := c.DeviceCode(cmd.Context())
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if f.json {
				return cli.WriteJSON(out, dc.Raw)
			}
			code := shareCode(dc)
			if code == "" {
				return fmt.Errorf("the running Archivist sent no share code")
			}
			if f.quiet {
				_, err := fmt.Fprintln(out, code)
				return err
			}
			fmt.Fprintf(out, "Share code (on your other device: archivist devices add CODE):\n\n%s\n\n", code)
			t := cli.NewTable(out)
			t.Row("Peer ID", dc.PeerID)
			if dc.Multiaddr != "" && dc.Multiaddr != code {
				t.Row("Multiaddr", dc.Multiaddr)
			}
			for i, a := range dc.Addresses {
				label := ""
				if i == 0 {
					label = "Addresses"
				}
				t.Row(label, a)
			}
			return t.Flush()
		},
	}
}

// shareCode is what another device pastes: the device code, which pairs
// the apps and the nodes; else (an older app) the signed peer record, which
// carries the peer ID and every address; else the dialable multiaddr.
func shareCode(dc cli.DeviceCode) string {
	if dc.Code != "" {
		return dc.Code
	}
	if dc.SPR != "" {
		return dc.SPR
	}
	return dc.Multiaddr
}

func devicesAddCommand(f *cliFlags) *cobra.Command {
	var nickname string
	cmd := &cobra.Command{
		Use:     "add CODE",
		Aliases: []string{"pair"},
		Short:   "Pair with a device by its share code",
		Long: "Pair with the device whose share code (from `archivist devices code` there) is CODE.\n" +
			"With --json: the API's device.",
		Args: args(1, 1),
		RunE: func(cmd *cobra.Command, a []string) error {
			code := strings.TrimSpace(a[0])
			if code == "" {
				return cli.Usagef("CODE is empty: run `archivist devices code` on the other device")
			}
			c, err := f.connect()
			if err != nil {
				return err
			}
			d, err := c.AddDevice(cmd.Context(), code, nickname)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if f.json {
				return cli.WriteJSON(out, rawOr(d.Raw, d))
			}
			name := d.PeerID
			if d.Nickname != "" {
				name = d.Nickname + " (" + d.PeerID + ")"
			}
			_, err = fmt.Fprintf(out, "Paired with %s: %s\n", cli.Clean(name), connState(d.Connected))
			return err
		},
	}
	cmd.Flags().StringVar(&nickname, "nickname", "", "a name for the device")
	return cmd
}

func devicesRmCommand(f *cliFlags) *cobra.Command {
	return &cobra.Command{
		Use:     "rm PEERID",
		Aliases: []string{"remove"},
		Short:   "Unpair a device",
		Long:    "Unpair the device with this peer ID (as `archivist devices ls` shows it).",
		Args:    args(1, 1),
		RunE: func(cmd *cobra.Command, a []string) error {
			if _, err := peer.Decode(a[0]); err != nil {
				return cli.Usagef("%q is not a valid peer ID: %v", a[0], err)
			}
			c, err := f.connect()
			if err != nil {
				return err
			}
			if err := c.RemoveDevice(cmd.Context(), a[0]); err != nil {
				return err
			}
			if f.json {
				return cli.WriteJSONLine(cmd.OutOrStdout(), map[string]any{"peerId": a[0], "removed": true})
			}
			f.note(cmd, "Removed %s", a[0])
			return nil
		},
	}
}

func connState(connected bool) string {
	if connected {
		return "connected"
	}
	return "offline"
}

func latency(ms *float64) string {
	if ms == nil {
		return "-"
	}
	if *ms < 10 {
		return fmt.Sprintf("%.1f ms", *ms)
	}
	return fmt.Sprintf("%.0f ms", *ms)
}

func lastSeen(d cli.Device) string {
	if d.Connected {
		return "now"
	}
	if d.LastSeen == "" {
		return "never"
	}
	t, err := time.Parse(time.RFC3339Nano, d.LastSeen)
	if err != nil || t.IsZero() {
		return d.LastSeen
	}
	return t.Local().Format("2006-01-02 15:04")
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func devicesApproveCommand(f *cliFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "approve DEVICE-ID",
		Short: "Approve a device that asked to pair with this one",
		Long: "Approve the pairing request of the device with this device ID (shown in the\n" +
			"Devices page, or by `archivist devices ls --json` under link.peers).",
		Args: args(1, 1),
		RunE: func(cmd *cobra.Command, a []string) error {
			if _, err := peerlink.ParseDeviceID(a[0]); err != nil {
				return cli.Usagef("%v", err)
			}
			c, err := f.connect()
			if err != nil {
				return err
			}
			if err := c.ApproveDevice(cmd.Context(), a[0]); err != nil {
				return err
			}
			f.note(cmd, "Approved %s.", cli.Clean(a[0]))
			return nil
		},
	}
}
