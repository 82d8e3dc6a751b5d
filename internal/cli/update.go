package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/archivist-desktop/archivist/internal/update"
)

// The self-updater: GET /api/update and its actions.

// UpdateState is the updater's state as the API answers it.
type UpdateState struct {
	update.State
	Raw json.RawMessage `json:"-"`
}

// UpdateAction is one of the updater's POST actions.
type UpdateAction string

const (
	UpdateCheck    UpdateAction = "check"
	UpdateRollback UpdateAction = "rollback"
)

// Update reads the updater's state.
func (c *Client) Update(ctx context.Context) (UpdateState, error) {
	var st UpdateState
	raw, err := c.call(ctx, http.MethodGet, "/api/update", nil, &st)
	st.Raw = raw
	return st, err
}

// UpdateDo checks the feed now, or rolls back.
func (c *Client) UpdateDo(ctx context.Context, action UpdateAction) (UpdateState, error) {
	switch action {
	case UpdateCheck, UpdateRollback:
	default:
		return UpdateState{}, fmt.Errorf("unknown update action %q", action)
	}
	var st UpdateState
	raw, err := c.call(ctx, http.MethodPost, "/api/update/"+string(action), nil, &st)
	st.Raw = raw
	return st, err
}

// UpdateInstall downloads, verifies and installs the available update, now
// or when the app quits (update.WhenNow, update.WhenQuit).
func (c *Client) UpdateInstall(ctx context.Context, when string) (UpdateState, error) {
	var st UpdateState
	raw, err := c.call(ctx, http.MethodPost, "/api/update/install", map[string]string{"when": when}, &st)
	st.Raw = raw
	return st, err
}

// PrintUpdate describes a check's outcome for people: up to date, or the
// new version with its notes (peer-controlled text, so cleaned line by line).
func PrintUpdate(w io.Writer, st update.State) error {
	var b strings.Builder
	switch {
	case st.Latest == nil && st.Error != "":
		fmt.Fprintf(&b, "Could not check for updates: %s\n", Clean(st.Error))
	case st.Latest == nil:
		fmt.Fprintf(&b, "Archivist %s; no check for updates yet (run `archivist update check`).\n", Clean(st.Current))
	case st.Available:
		fmt.Fprintf(&b, "Archivist %s is available (this is %s).\n", Clean(st.Latest.Version), Clean(st.Current))
		if !st.Latest.PubDate.IsZero() {
			fmt.Fprintf(&b, "Released %s.\n", st.Latest.PubDate.Format("2006-01-02"))
		}
		if notes := strings.TrimSpace(st.Latest.Notes); notes != "" {
			b.WriteString("\nWhat's new:\n")
			for _, line := range strings.Split(notes, "\n") {
				fmt.Fprintf(&b, "  %s\n", Clean(strings.TrimRight(line, "\r")))
			}
			b.WriteString("\n")
		}
		if st.Ready {
			b.WriteString("It is downloaded and verified.\n")
		}
		if st.InstallOnQuit {
			b.WriteString("It will be installed when Archivist quits.\n")
		} else {
			b.WriteString("Install it with `archivist update install` (or --on-quit).\n")
		}
	case st.Installed != "":
		// Said below: what runs now is about to be replaced.
	case st.DevelopmentBuild:
		fmt.Fprintf(&b, "Archivist %s is a development build; the latest release is %s.\n", Clean(st.Current), Clean(st.Latest.Version))
	default:
		fmt.Fprintf(&b, "Archivist %s is up to date (the latest release is %s).\n", Clean(st.Current), Clean(st.Latest.Version))
	}
	if st.Latest != nil && st.Error != "" {
		fmt.Fprintf(&b, "Last check failed: %s\n", Clean(st.Error))
	}
	if st.Installed != "" {
		fmt.Fprintf(&b, "Version %s is installed and runs from the next start of Archivist.\n", Clean(st.Installed))
	}
	if st.RolledBack {
		b.WriteString("Rolled back: the previous version runs from the next start of Archivist.\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}
