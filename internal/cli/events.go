package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// Event is one event of the app's stream, GET /api/events.
type Event struct {
	Type string          `json:"type"`
	Time time.Time       `json:"time"`
	Data json.RawMessage `json:"data"`
}

// Progress is the data of upload-progress and download-progress events.
type Progress struct {
	ID         string `json:"id"`
	Filename   string `json:"filename"`
	CID        string `json:"cid"`
	BytesDone  int64  `json:"bytesDone"`
	TotalBytes int64  `json:"totalBytes"` // -1 when unknown
	Percent    int    `json:"percent"`    // -1 when unknown
	Done       bool   `json:"done"`
	Error      string `json:"error"`
}

// The event types the CLI follows.
const (
	EventUploadProgress   = "upload-progress"
	EventDownloadProgress = "download-progress"
)

// EventStream reads the app's Server-Sent Events. The app subscribes the
// stream before it answers, so every event published after Events returns
// is delivered (unless the reader falls far behind, when the app ends the
// stream).
type EventStream struct {
	body io.ReadCloser
	r    *bufio.Reader
}

// Events opens the event stream; cancel ctx or Close it to end it.
func (c *Client) Events(ctx context.Context) (*EventStream, error) {
	resp, err := c.request(ctx, http.MethodGet, "/api/events", nil, 0, "")
	if err != nil {
		return nil, err
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") {
		resp.Body.Close()
		return nil, fmt.Errorf("/api/events answered %q, not an event stream", ct)
	}
	return &EventStream{body: resp.Body, r: bufio.NewReaderSize(resp.Body, 64<<10)}, nil
}

// Next returns the next event; io.EOF when the stream ended.
func (s *EventStream) Next() (Event, error) {
	var typ string
	var data strings.Builder
	for {
		line, err := s.r.ReadString('\n')
		if err != nil {
			if err == io.EOF && line == "" {
				return Event{}, io.EOF
			}
			if err != io.EOF {
				return Event{}, err
			}
		}
		line = strings.TrimRight(line, "\r\n")
		switch {
		case line == "":
			if data.Len() == 0 {
				typ = ""
				continue // a comment-only block (the heartbeat)
			}
			var ev Event
			if err := json.Unmarshal([]byte(data.String()), &ev); err != nil {
				return Event{}, fmt.Errorf("malformed event: %w", err)
			}
			if ev.Type == "" {
				ev.Type = typ
			}
			return ev, nil
		case strings.HasPrefix(line, ":"):
		case strings.HasPrefix(line, "event:"):
			typ = strings.TrimSpace(strings.TrimPrefix(line, "event:"))
		case strings.HasPrefix(line, "data:"):
			if data.Len() > 0 {
				data.WriteByte('\n')
			}
			data.WriteString(strings.TrimPrefix(strings.TrimPrefix(line, "data:"), " "))
		}
	}
}

// Close ends the stream.
func (s *EventStream) Close() error { return s.body.Close() }
