package update

import (
	"regexp"
	"strings"

	"golang.org/x/mod/semver"
)

// semverRE is a full semantic version (semver.org 2.0), v optional: three
// numbers, unlike golang.org/x/mod/semver, which also takes "1" and "1.2".
var semverRE = regexp.MustCompile(`^v?(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)` +
	`(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$`)

// ValidVersion reports whether v is a full semantic version (1.2.3,
// 1.2.3-rc.1), with or without a leading v.
func ValidVersion(v string) bool {
	return len(v) <= 128 && semverRE.MatchString(v) && semver.IsValid(canonical(v))
}

// Newer reports whether candidate is a newer version than current. Both must
// be valid; equal versions are not newer, so the same build is never
// installed again, and a lower one is never installed at all.
func Newer(candidate, current string) bool {
	if !ValidVersion(candidate) || !ValidVersion(current) {
		return false
	}
	return semver.Compare(canonical(candidate), canonical(current)) > 0
}

func canonical(v string) string {
	if strings.HasPrefix(v, "v") {
		return v
	}
	return "v" + v
}

// describeRE is what `git describe` appends after a tag: commits since it
// and the revision.
var describeRE = regexp.MustCompile(`-[0-9]+-g[0-9a-f]{4,40}(-dirty)?$`)

// DevelopmentBuild reports whether version names a build that is not a
// release: "dev" (plain go build), 0.1.0-dev (make build without a tag), a
// git describe between tags, or a dirty tree. Such builds are not checked
// automatically: a developer's binary is theirs, and test instances must not
// reach out to the release host. They can still check on demand.
func DevelopmentBuild(version string) bool {
	if !ValidVersion(version) {
		return true
	}
	pre := semver.Prerelease(canonical(version))
	return strings.Contains(pre, "dev") || strings.HasSuffix(pre, "dirty") || describeRE.MatchString(version)
}
