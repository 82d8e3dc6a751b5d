package folders

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/archivist-desktop/archivist/internal/app/events"
)

// outcomes collects the outcome events published on bus.
func outcomes(t *testing.T, bus *events.Bus) func() []events.Event {
	ch, cancel := bus.Subscribe()
	t.Cleanup(cancel)
	var got []events.Event
	return func() []events.Event {
		for {
			select {
			case ev := <-ch:
				if ev.Type == EventBackupFinished || ev.Type == EventBackupFailed {
					got = append(got, ev)
				}
			case <-time.After(200 * time.Millisecond):
				return got
			}
		}
	}
}

func TestOutcomeEventsArePublishedOncePerOccurrence(t *testing.T) {
	h := newHarness(t)
	dir := t.TempDir()
	write(t, filepath.Join(dir, "a.txt"), "hello")
	f, err := h.svc.Add(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	h.synced(f.ID, 1)
	seq, err := h.svc.PublishNow(context.Background(), f.ID)
	if err != nil || seq == 0 {
		t.Fatalf("PublishNow: %d, %v", seq, err)
	}
	read := outcomes(t, h.bus)

	// Telling the backup server fails twice in a row, then works.
	h.svc.SetNotifyState(f.ID, true, "connection refused")
	h.svc.SetNotifyState(f.ID, true, "connection refused")
	h.svc.SetNotifyState(f.ID, false, "")
	// The server acknowledges; the same acknowledgement again is no news.
	for range 2 {
		if err := h.svc.Acknowledge(f.ID, seq, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	got := read()
	if len(got) != 2 {
		t.Fatalf("events %+v, want one backup-failed and one backup-finished", got)
	}
	failed, ok := got[0].Data.(BackupOutcome)
	if got[0].Type != EventBackupFailed || !ok || failed.FolderName != filepath.Base(dir) || failed.Error == "" {
		t.Errorf("first event %+v, want backup-failed naming the folder and the error", got[0])
	}
	done, ok := got[1].Data.(BackupOutcome)
	if got[1].Type != EventBackupFinished || !ok || done.Sequence != seq || done.FolderID != f.ID {
		t.Errorf("second event %+v, want backup-finished of sequence %d", got[1], seq)
	}
}

func TestAddExpandsTheHomeDirectory(t *testing.T) {
	h := newHarness(t)
	home := t.TempDir()
	t.Setenv("HOME", home)
	if err := os.Mkdir(filepath.Join(home, "Photos"), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := h.svc.Add(context.Background(), "~/Photos")
	if err != nil || f.Path != filepath.Join(home, "Photos") {
		t.Fatalf("Add(~/Photos) = %q, %v; want %s", f.Path, err, filepath.Join(home, "Photos"))
	}
}
