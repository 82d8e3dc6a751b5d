package ignore

import "strings"

// pattern is one compiled gitignore line.
type pattern struct {
	negate   bool
	dirOnly  bool
	anchored bool
	base     glob      // matched against the last name when !anchored
	segs     []segment // matched against the whole path when anchored
}

// segment is one "/"-separated part of an anchored pattern.
type segment struct {
	doubleStar bool
	glob       glob
}

// parsePattern compiles one line. ok is false for lines that carry no
// pattern: blanks, comments, and lines such as "!" or "/" that git accepts
// but that can never match anything.
func parsePattern(line string) (p pattern, ok bool, err error) {
	// git looks for "#" before trimming, so " #x" is a pattern, not a comment.
	if line == "" || line[0] == '#' {
		return p, false, nil
	}
	line = trimTrailingSpaces(line)
	if strings.HasPrefix(line, "!") {
		p.negate = true
		line = line[1:]
	}
	if strings.HasSuffix(line, "/") {
		p.dirOnly = true
		line = line[:len(line)-1]
	}
	p.anchored = strings.Contains(line, "/")
	line = strings.TrimPrefix(line, "/")
	if line == "" {
		return p, false, nil
	}
	parts := splitSegments(line)
	for _, part := range parts {
		if isDoubleStar(part) {
			// "**/**" means the same as "**"; collapsing keeps the
			// backtracking in matchSegs from multiplying.
			if n := len(p.segs); n > 0 && p.segs[n-1].doubleStar {
				continue
			}
			p.segs = append(p.segs, segment{doubleStar: true})
			continue
		}
		g, err := compileGlob(part)
		if err != nil {
			return pattern{}, false, err
		}
		p.segs = append(p.segs, segment{glob: g})
	}
	if !p.anchored {
		// Without a slash there is exactly one segment; a lone "**" is then
		// just a name wildcard.
		if p.segs[0].doubleStar {
			p.base = glob{kind: globAll}
		} else {
			p.base = p.segs[0].glob
		}
		p.segs = nil
	}
	return p, true, nil
}

// trimTrailingSpaces drops unescaped trailing spaces exactly as git's
// trim_trailing_spaces does, including leaving the line alone when it ends in
// a lone backslash.
func trimTrailingSpaces(s string) string {
	lastSpace := -1
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ':
			if lastSpace < 0 {
				lastSpace = i
			}
		case '\\':
			i++
			if i >= len(s) {
				return s
			}
			lastSpace = -1
		default:
			lastSpace = -1
		}
	}
	if lastSpace >= 0 {
		return s[:lastSpace]
	}
	return s
}

// splitSegments splits on "/". An escaped "\/" matches a literal slash in
// git, and in a path a slash is always a separator, so it splits too.
func splitSegments(s string) []string {
	var parts []string
	start := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if i+1 < len(s) && s[i+1] == '/' {
				parts = append(parts, s[start:i])
				start = i + 2
			}
			i++
		case '/':
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}

// isDoubleStar reports whether a segment is two or more asterisks and nothing
// else, which git's wildmatch treats as "**".
func isDoubleStar(s string) bool {
	return len(s) >= 2 && strings.Trim(s, "*") == ""
}

func (p *pattern) match(path, base string, isDir bool) bool {
	if p.dirOnly && !isDir {
		return false
	}
	if !p.anchored {
		return p.base.match(base)
	}
	return matchSegs(p.segs, path)
}

// matchSegs matches anchored segments against a slash-separated path without
// splitting it, so no slice is allocated per call.
func matchSegs(segs []segment, path string) bool {
	for i := range segs {
		if segs[i].doubleStar {
			rest := segs[i+1:]
			if len(rest) == 0 {
				// A trailing "/**" matches everything inside, not the
				// directory itself.
				return path != ""
			}
			for {
				if matchSegs(rest, path) {
					return true
				}
				j := strings.IndexByte(path, '/')
				if j < 0 {
					return false
				}
				path = path[j+1:]
			}
		}
		if path == "" {
			return false
		}
		name := path
		if j := strings.IndexByte(path, '/'); j >= 0 {
			name, path = path[:j], path[j+1:]
		} else {
			path = ""
		}
		if !segs[i].glob.match(name) {
			return false
		}
	}
	return path == ""
}
