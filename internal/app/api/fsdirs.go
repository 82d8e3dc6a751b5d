package api

import (
	"errors"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// maxDirEntries bounds a completion answer: the user types more to narrow
// it, as in a shell.
const maxDirEntries = 100

type dirEntry struct {
	Name string `json:"name"`
	Path string `json:"path"`
}

type dirCompletion struct {
	Dir       string     `json:"dir"` // the folder whose children are listed
	Entries   []dirEntry `json:"entries"`
	Truncated bool       `json:"truncated"`
}

// completeDir answers GET /api/fs/dirs?path=…: the folders that complete a
// partly typed absolute path, so a browser (which has no native folder
// picker that reveals paths) can choose a folder on the machine running the
// app. "~" stands for the home directory; an empty path lists the home
// directory. Hidden folders appear only once a "." is typed, as in shells.
func (s *Server) completeDir(w http.ResponseWriter, r *http.Request) {
	typed := r.URL.Query().Get("path")
	home, _ := os.UserHomeDir()
	switch {
	case typed == "" || typed == "~":
		typed = home + string(filepath.Separator)
	case strings.HasPrefix(typed, "~/") || strings.HasPrefix(typed, `~\`):
		typed = home + typed[1:]
	}
	if !filepath.IsAbs(typed) {
		writeError(w, http.StatusBadRequest, "type an absolute path (starting with / or ~)")
		return
	}
	dir, prefix := typed, ""
	if !strings.HasSuffix(typed, string(filepath.Separator)) && !strings.HasSuffix(typed, "/") {
		dir, prefix = filepath.Split(typed)
	}
	dir = filepath.Clean(dir)
	ents, err := os.ReadDir(dir)
	if err != nil {
		status := http.StatusInternalServerError
		if errors.Is(err, fs.ErrNotExist) {
			status = http.StatusNotFound
		} else if errors.Is(err, fs.ErrPermission) {
			status = http.StatusForbidden
		}
		writeError(w, status, "cannot list "+dir+": "+err.Error())
		return
	}
	out := dirCompletion{Dir: dir, Entries: []dirEntry{}}
	lower := strings.ToLower(prefix)
	for _, e := range ents {
		name := e.Name()
		if strings.HasPrefix(name, ".") && !strings.HasPrefix(prefix, ".") {
			continue
		}
		if !strings.HasPrefix(strings.ToLower(name), lower) || !isDir(dir, e) {
			continue
		}
		if len(out.Entries) == maxDirEntries {
			out.Truncated = true
			break
		}
		out.Entries = append(out.Entries, dirEntry{Name: name, Path: filepath.Join(dir, name)})
	}
	sort.Slice(out.Entries, func(i, j int) bool {
		return strings.ToLower(out.Entries[i].Name) < strings.ToLower(out.Entries[j].Name)
	})
	writeJSON(w, http.StatusOK, out)
}

// isDir follows symlinks: a link to a folder is a folder the user can watch.
func isDir(dir string, e fs.DirEntry) bool {
	if e.IsDir() {
		return true
	}
	if e.Type()&fs.ModeSymlink == 0 {
		return false
	}
	st, err := os.Stat(filepath.Join(dir, e.Name()))
	return err == nil && st.IsDir()
}
