package ignore

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

var (
	errUnterminatedClass = errors.New("unterminated character class")
	errTrailingBackslash = errors.New("trailing backslash")
)

type tokenKind uint8

const (
	tokLiteral tokenKind = iota
	tokStar              // any run of characters, possibly empty
	tokAny               // "?": exactly one character
	tokClass             // "[...]": one character from a set
)

type token struct {
	kind tokenKind
	lit  string
	cls  *charClass
}

type globKind uint8

const (
	globGeneral globKind = iota
	globExact            // "name"
	globPrefix           // "name*"
	globSuffix           // "*.ext", the most common ignore pattern
	globAll              // "*"
)

// glob matches a single name (no "/"). The common shapes get a kind of their
// own so that they cost one string comparison.
type glob struct {
	kind globKind
	lit  string
	toks []token
}

// compileGlob compiles one segment. Characters are runes, so "?" matches "é".
func compileGlob(s string) (glob, error) {
	var toks []token
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			toks = append(toks, token{kind: tokLiteral, lit: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(s); {
		switch c := s[i]; c {
		case '\\':
			if i+1 >= len(s) {
				return glob{}, errTrailingBackslash
			}
			_, n := utf8.DecodeRuneInString(s[i+1:])
			lit.WriteString(s[i+1 : i+1+n])
			i += 1 + n
		case '*':
			flush()
			// Runs of "*" inside a name are a single "*".
			if len(toks) == 0 || toks[len(toks)-1].kind != tokStar {
				toks = append(toks, token{kind: tokStar})
			}
			i++
		case '?':
			flush()
			toks = append(toks, token{kind: tokAny})
			i++
		case '[':
			flush()
			cls, next, err := parseClass(s, i)
			if err != nil {
				return glob{}, err
			}
			toks = append(toks, token{kind: tokClass, cls: cls})
			i = next
		default:
			lit.WriteByte(c)
			i++
		}
	}
	flush()
	return classify(toks), nil
}

func classify(toks []token) glob {
	switch {
	case len(toks) == 0:
		return glob{kind: globExact}
	case len(toks) == 1 && toks[0].kind == tokLiteral:
		return glob{kind: globExact, lit: toks[0].lit}
	case len(toks) == 1 && toks[0].kind == tokStar:
		return glob{kind: globAll}
	case len(toks) == 2 && toks[0].kind == tokStar && toks[1].kind == tokLiteral:
		return glob{kind: globSuffix, lit: toks[1].lit}
	case len(toks) == 2 && toks[0].kind == tokLiteral && toks[1].kind == tokStar:
		return glob{kind: globPrefix, lit: toks[0].lit}
	}
	return glob{kind: globGeneral, toks: toks}
}

func (g *glob) match(s string) bool {
	switch g.kind {
	case globExact:
		return s == g.lit
	case globPrefix:
		return strings.HasPrefix(s, g.lit)
	case globSuffix:
		return strings.HasSuffix(s, g.lit)
	case globAll:
		return true
	}
	return matchTokens(g.toks, s)
}

// matchTokens only ever backtracks to the most recent "*": every other token
// has a fixed width, so a later star can absorb whatever an earlier one would
// have, and the match stays O(len(toks)*len(s)) instead of exponential.
func matchTokens(toks []token, s string) bool {
	ti, si := 0, 0
	starTi, starSi := -1, 0
	for {
		if ti < len(toks) {
			t := &toks[ti]
			switch t.kind {
			case tokStar:
				starTi, starSi = ti, si
				ti++
				continue
			case tokLiteral:
				if strings.HasPrefix(s[si:], t.lit) {
					si += len(t.lit)
					ti++
					continue
				}
			case tokAny, tokClass:
				if si < len(s) {
					r, n := utf8.DecodeRuneInString(s[si:])
					if t.kind == tokAny || t.cls.match(r) {
						si += n
						ti++
						continue
					}
				}
			}
		} else if si == len(s) {
			return true
		}
		if starTi < 0 || starSi >= len(s) {
			return false
		}
		_, n := utf8.DecodeRuneInString(s[starSi:])
		starSi += n
		ti, si = starTi+1, starSi
	}
}

type runeRange struct{ lo, hi rune }

// charClass is a compiled "[...]".
type charClass struct {
	negated bool
	ranges  []runeRange
	posix   uint16 // bit i set: posixNames[i] is in the set
}

func (c *charClass) match(r rune) bool {
	in := r >= 0 && r < 128 && asciiClasses[r]&c.posix != 0
	for i := 0; !in && i < len(c.ranges); i++ {
		in = c.ranges[i].lo <= r && r <= c.ranges[i].hi
	}
	return in != c.negated
}

// parseClass parses the class starting at s[start] == '['. It follows git's
// wildmatch: "!" or "^" negates, a "]" right after the opening (or after the
// negation) is literal, "-" is literal at either end, a backslash escapes,
// and "[:name:]" is a POSIX class. It returns the index after the closing "]".
func parseClass(s string, start int) (*charClass, int, error) {
	c := &charClass{}
	i := start + 1
	if i < len(s) && (s[i] == '!' || s[i] == '^') {
		c.negated = true
		i++
	}
	prev := rune(-1) // the previous single character, start of a range
	for first := true; ; first = false {
		if i >= len(s) {
			return nil, 0, errUnterminatedClass
		}
		if s[i] == ']' && !first {
			return c, i + 1, nil
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '\\':
			i++
			if i >= len(s) {
				return nil, 0, errUnterminatedClass
			}
			r, n = utf8.DecodeRuneInString(s[i:])
			c.ranges = append(c.ranges, runeRange{r, r})
			prev = r
			i += n
		case r == '-' && prev >= 0 && i+1 < len(s) && s[i+1] != ']':
			i++
			hi, n := utf8.DecodeRuneInString(s[i:])
			if hi == '\\' {
				i += n
				if i >= len(s) {
					return nil, 0, errUnterminatedClass
				}
				hi, n = utf8.DecodeRuneInString(s[i:])
			}
			i += n
			c.ranges = append(c.ranges, runeRange{prev, hi})
			prev = -1
		case r == '[' && i+1 < len(s) && s[i+1] == ':':
			end := strings.IndexByte(s[i+2:], ']')
			if end < 0 {
				return nil, 0, errUnterminatedClass
			}
			end += i + 2
			if end == i+2 || s[end-1] != ':' {
				// No ":]": git reads the "[" as an ordinary member.
				c.ranges = append(c.ranges, runeRange{'[', '['})
				prev = '['
				i++
				continue
			}
			name := s[i+2 : end-1]
			bit := posixIndex(name)
			if bit < 0 {
				return nil, 0, fmt.Errorf("unknown character class %q", name)
			}
			c.posix |= 1 << bit
			prev = -1
			i = end + 1
		default:
			c.ranges = append(c.ranges, runeRange{r, r})
			prev = r
			i += n
		}
	}
}
