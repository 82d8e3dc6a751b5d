package config

import (
	"fmt"
	"strings"

	"github.com/pelletier/go-toml/v2/unstable"
)

// position is where a key is set in a file.
type position struct{ line, column int }

// lineMap maps TOML key paths, in Problem.Key form, to where the file sets
// them. The decoder reports positions only for its own errors; this lets a
// validation problem ("port 8080 is already used") point at a line too.
type lineMap map[string]position

// keyLines indexes data, which must already have parsed without error. It
// covers what this file's schema uses: tables, arrays of tables, dotted keys
// and the elements of arrays of scalars.
func keyLines(data []byte) lineMap {
	m := lineMap{}
	var p unstable.Parser
	p.Reset(data)
	prefix := ""
	arrayTables := map[string]int{}
	for p.NextExpression() {
		e := p.Expression()
		switch e.Kind {
		case unstable.Table, unstable.ArrayTable:
			key, pos := keyOf(&p, e)
			prefix = key
			if e.Kind == unstable.ArrayTable {
				prefix = fmt.Sprintf("%s[%d]", key, arrayTables[key])
				arrayTables[key]++
				m.add(key, pos)
			}
			m.add(prefix, pos)
		case unstable.KeyValue:
			key, pos := keyOf(&p, e)
			if prefix != "" {
				key = prefix + "." + key
			}
			m.add(key, pos)
			if v := e.Value(); v.Kind == unstable.Array {
				it := v.Children()
				for i := 0; it.Next(); i++ {
					if r := it.Node().Raw; r.Length > 0 {
						m.add(fmt.Sprintf("%s[%d]", key, i), shapePos(&p, r))
					}
				}
			}
		}
	}
	return m
}

func (m lineMap) add(key string, pos position) {
	if _, ok := m[key]; !ok {
		m[key] = pos
	}
}

// find returns the position of key, or of the nearest enclosing key the file
// sets (the [[source_peers]] header for a peer's missing host, say), or zeros.
func (m lineMap) find(key string) (line, column int) {
	for key != "" {
		if pos, ok := m[key]; ok {
			return pos.line, pos.column
		}
		i := strings.LastIndexAny(key, ".[")
		if i < 0 {
			break
		}
		key = key[:i]
	}
	return 0, 0
}

func keyOf(p *unstable.Parser, e *unstable.Node) (string, position) {
	var parts []string
	var pos position
	it := e.Key()
	for it.Next() {
		n := it.Node()
		if parts == nil && n.Raw.Length > 0 {
			pos = shapePos(p, n.Raw)
		}
		parts = append(parts, string(n.Data))
	}
	return strings.Join(parts, "."), pos
}

func shapePos(p *unstable.Parser, r unstable.Range) position {
	s := p.Shape(r).Start
	return position{s.Line, s.Column}
}
