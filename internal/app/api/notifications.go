package api

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/archivist-desktop/archivist/internal/app/config"
)

// MaxSoundBytes bounds a custom notification sound: a few seconds of audio
// is far below it, and the UI decodes the whole file into memory.
const MaxSoundBytes = 10 << 20

// soundTypes are the custom sound formats the reference's file picker
// offered, with the Content-Type the browser's decoder is told.
var soundTypes = map[string]string{
	".mp3": "audio/mpeg",
	".wav": "audio/wav",
	".ogg": "audio/ogg",
	".m4a": "audio/mp4",
}

// soundSettings maps the sound events of GET /api/notifications/sounds/{event}
// to the config key naming their custom file.
var soundSettings = map[string]struct {
	key  string
	path func(config.NotificationsConfig) string
}{
	"startup":      {"notifications.custom_startup_sound", func(n config.NotificationsConfig) string { return n.CustomStartupSound }},
	"peer-connect": {"notifications.custom_peer_connect_sound", func(n config.NotificationsConfig) string { return n.CustomPeerConnectSound }},
	"download":     {"notifications.custom_download_sound", func(n config.NotificationsConfig) string { return n.CustomDownloadSound }},
}

// notificationSound serves the custom sound file configured for an event.
// The page cannot read a local path itself, so the backend reads it for
// the page — but only the file the user configured for that event, only
// if it is an audio file by name, and only up to MaxSoundBytes: this
// endpoint must not become a way to read arbitrary files.
func (s *Server) notificationSound(w http.ResponseWriter, r *http.Request) {
	event := r.PathValue("event")
	setting, ok := soundSettings[event]
	if !ok {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no sound event %q: use startup, peer-connect or download", event))
		return
	}
	path := setting.path(s.opts.Config.Get().Notifications)
	if path == "" {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no custom sound is set for %s (%s): the built-in tone plays", event, setting.key))
		return
	}
	ctype, ok := soundTypes[strings.ToLower(filepath.Ext(path))]
	if !ok {
		writeError(w, http.StatusUnsupportedMediaType, fmt.Sprintf("%s: %s is not an .mp3, .wav, .ogg or .m4a file", setting.key, path))
		return
	}
	f, st, err := openSound(path)
	if err != nil {
		status := http.StatusInternalServerError
		switch {
		case errors.Is(err, fs.ErrNotExist):
			status = http.StatusNotFound
		case errors.Is(err, fs.ErrPermission):
			status = http.StatusForbidden
		case errors.Is(err, errNotSoundFile):
			status = http.StatusUnprocessableEntity
		case errors.Is(err, errSoundTooLarge):
			status = http.StatusRequestEntityTooLarge
		}
		writeError(w, status, fmt.Sprintf("%s: %v", setting.key, err))
		return
	}
	defer f.Close()
	h := w.Header()
	h.Set("Content-Type", ctype)
	// The setting can point at another file at any time.
	h.Set("Cache-Control", "no-store")
	// Read no further than the size checked, should the file grow meanwhile.
	http.ServeContent(w, r, "", st.ModTime(), io.NewSectionReader(f, 0, st.Size()))
}

var (
	errNotSoundFile  = errors.New("not a regular file")
	errSoundTooLarge = fmt.Errorf("larger than the %d MiB a notification sound may be", MaxSoundBytes>>20)
)

// openSound opens a regular file of at most MaxSoundBytes. It checks the
// path before opening, since opening a FIFO would wait for a writer, and
// the open file after, since the path may have been replaced in between.
func openSound(path string) (*os.File, fs.FileInfo, error) {
	if st, err := os.Stat(path); err != nil {
		return nil, nil, pathError(path, err)
	} else if !st.Mode().IsRegular() {
		return nil, nil, fmt.Errorf("%s: %w", path, errNotSoundFile)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, pathError(path, err)
	}
	st, err := f.Stat()
	switch {
	case err != nil:
		err = pathError(path, err)
	case !st.Mode().IsRegular():
		err = fmt.Errorf("%s: %w", path, errNotSoundFile)
	case st.Size() > MaxSoundBytes:
		err = fmt.Errorf("%s is %d bytes, %w", path, st.Size(), errSoundTooLarge)
	}
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, st, nil
}

// pathError says "<path>: no such file or directory" rather than Go's
// "stat <path>: …": the user knows the path, not the system call.
func pathError(path string, err error) error {
	if pe, ok := errors.AsType[*fs.PathError](err); ok {
		return fmt.Errorf("%s: %w", path, pe.Err)
	}
	return err
}
