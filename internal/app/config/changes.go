package config

import (
	"reflect"
	"slices"
	"strings"
)

// Changes is what one update (or, for a subscriber that was slow to read,
// several coalesced updates) did to the configuration. Services read New and
// apply the keys they own; Old lets them close what New no longer asks for.
type Changes struct {
	Old, New Config
	// Keys are the changed keys as TOML paths ("node.api_port"). A list
	// (exclude_patterns, allowed_ips, source_peers) counts as one key.
	Keys []string
	// NodeRestart is NeedsNodeRestart(Old, New).
	NodeRestart bool
}

func newChanges(old, new Config) Changes {
	return Changes{Old: old.Clone(), New: new.Clone(), Keys: ChangedKeys(old, new),
		NodeRestart: NeedsNodeRestart(old, new)}
}

// clone gives each subscriber its own copy: a service that edits what it
// received must not change what another service sees.
func (c Changes) clone() Changes {
	c.Old, c.New, c.Keys = c.Old.Clone(), c.New.Clone(), slices.Clone(c.Keys)
	return c
}

// Empty reports whether nothing changed.
func (c Changes) Empty() bool { return len(c.Keys) == 0 }

// Has reports whether the key, or any key of the section, changed: Has("node")
// is true when node.api_port changed, Has("node.api_port") only then.
func (c Changes) Has(key string) bool {
	for _, k := range c.Keys {
		if k == key || strings.HasPrefix(k, key+".") {
			return true
		}
	}
	return false
}

// liveNodeKeys are the [node] keys a running node needs no restart for:
// the log level is set through the node's REST API, and auto_start is only
// read when the app starts.
var liveNodeKeys = []string{"node.log_level", "node.auto_start"}

// NeedsNodeRestart reports whether going from old to new changes how the node
// must be started (its binary, data directory, ports or quota are flags of
// its command line).
func NeedsNodeRestart(old, new Config) bool {
	for _, k := range ChangedKeys(old, new) {
		if strings.HasPrefix(k, "node.") && !slices.Contains(liveNodeKeys, k) {
			return true
		}
	}
	return false
}

// ChangedKeys lists the keys whose values differ, as TOML paths, in file
// order. An empty list and an absent one are the same.
func ChangedKeys(old, new Config) []string {
	var keys []string
	diff("", reflect.ValueOf(old), reflect.ValueOf(new), &keys)
	return keys
}

func diff(prefix string, a, b reflect.Value, keys *[]string) {
	t := a.Type()
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("toml"), ",")
		key := name
		if prefix != "" {
			key = prefix + "." + name
		}
		fa, fb := a.Field(i), b.Field(i)
		switch {
		case fa.Kind() == reflect.Struct:
			diff(key, fa, fb, keys)
		case fa.Kind() == reflect.Slice:
			if fa.Len() != fb.Len() || (fa.Len() > 0 && !reflect.DeepEqual(fa.Interface(), fb.Interface())) {
				*keys = append(*keys, key)
			}
		case !fa.Equal(fb):
			*keys = append(*keys, key)
		}
	}
}
