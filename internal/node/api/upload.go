package api

import (
	"bufio"
	_ "embed"
	"errors"
	"net/http"
	"strings"
	"sync"

	"github.com/archivist-desktop/archivist/internal/node/dag"
	"github.com/archivist-desktop/archivist/internal/node/repo"
)

// upload stores the raw request body as one dataset (spec §1.1 "Upload
// details") and answers with the manifest CID as plain text.
func (s *Server) upload(w http.ResponseWriter, r *http.Request) {
	mimetype := strings.TrimSpace(r.Header.Get("Content-Type"))
	if mimetype != "" && !KnownMimeType(mimetype) {
		s.textError(w, r, http.StatusUnprocessableEntity, "The MIME type '"+mimetype+"' is not valid.")
		return
	}
	filename, ok := dispositionFilename(r.Header.Get("Content-Disposition"))
	if ok && !validFilename(filename) {
		s.textError(w, r, http.StatusUnprocessableEntity, "The filename is not valid.")
		return
	}
	c, err := s.node.Store(r.Context(), r.Body, filename, mimetype)
	if err != nil {
		msg := err.Error()
		if errors.Is(err, dag.ErrEmptyLeaves) {
			msg = dag.ErrEmptyLeaves.Error()
		} else if errors.Is(err, repo.ErrQuotaExceeded) {
			s.log.Warn("upload refused: storage quota", "err", err)
		}
		s.textError(w, r, http.StatusInternalServerError, msg)
		return
	}
	w.Header().Set("Content-Type", "text/plain")
	w.Write([]byte(dag.CIDString(c)))
}

// dispositionFilename reads the filename the way archivist-node does: the
// text after `filename="`, trimmed, with its last character (the closing
// quote) dropped. Without `filename="` there is no filename.
func dispositionFilename(h string) (string, bool) {
	_, after, found := strings.Cut(h, `filename="`)
	if !found {
		return "", false
	}
	after = strings.TrimSpace(after)
	if after == "" {
		return "", true
	}
	return after[:len(after)-1], true
}

// validFilename is Nim's os.isValidFilename: what every OS can store.
func validFilename(name string) bool {
	if name == "" || len(name) > 259 {
		return false
	}
	if strings.ContainsAny(name, "/\\:*?\"<>|^\x00") {
		return false
	}
	if name[0] == ' ' || strings.HasSuffix(name, " ") || strings.HasSuffix(name, ".") {
		return false
	}
	base, _, _ := strings.Cut(strings.ToUpper(name), ".")
	switch base {
	case "CON", "PRN", "AUX", "NUL",
		"COM0", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
		"LPT0", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9":
		return false
	}
	return true
}

//go:embed mimetypes.txt
var mimeTypesList string

var mimeTypes = sync.OnceValue(func() map[string]bool {
	m := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(mimeTypesList))
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" && !strings.HasPrefix(line, "#") {
			m[line] = true
		}
	}
	return m
})

// KnownMimeType reports whether the node's MIME table knows the type. The
// whole header value is the type, as in the reference: parameters such as
// "; charset=utf-8" make it unknown.
// Uploaders use it too: a type the node would refuse is better not sent
// at all than failing the upload.
func KnownMimeType(t string) bool { return mimeTypes()[strings.ToLower(t)] }
