#!/usr/bin/env bash
# debversion.sh VERSION REVISION — prints the Debian package version for the
# app's VERSION (`git describe --tags --dirty` without the leading v, or
# 0.1.0-dev when there is no tag) so that dpkg orders builds as git does:
#
#   1.2.3                    → 1.2.3
#   1.2.3-rc.1               → 1.2.3~rc.1            (a pre-release sorts before 1.2.3)
#   1.2.3-4-gabc1234         → 1.2.3+4.gabc1234      (commits after a tag sort after it)
#   1.2.3-4-gabc1234-dirty   → 1.2.3+4.gabc1234.dirty
#   0.1.0-dev                → 0.1.0~dev+REVISION    (untagged: the commit says which build)
#
# A VERSION that cannot become a valid Debian version is an error, never
# packaged under a mangled name.
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: $0 VERSION REVISION" >&2; exit 2; }
version=$1 revision=$2

# Split off what git describe appends: -N-gHASH (commits since the tag) and -dirty.
dirty="" since=""
if [[ $version == *-dirty ]]; then dirty=dirty; version=${version%-dirty}; fi
if [[ $version =~ ^(.*)-([0-9]+)-(g[0-9a-f]+)$ ]]; then
	version=${BASH_REMATCH[1]} since="${BASH_REMATCH[2]}.${BASH_REMATCH[3]}"
fi

# What is left is the tag: MAJOR.MINOR.PATCH with an optional -PRERELEASE.
if [[ ! $version =~ ^([0-9]+(\.[0-9]+)*)(-([0-9A-Za-z.]+))?$ ]]; then
	echo "debversion: VERSION ${1@Q} is not a release number (like 1.2.3 or 1.2.3-rc.1) as git describe would give" >&2
	exit 1
fi
deb=${BASH_REMATCH[1]}
pre=${BASH_REMATCH[4]}
[ -z "$pre" ] || deb+="~$pre"

local_part=$since
[ -z "$dirty" ] || local_part+=${local_part:+.}$dirty
# An untagged build carries no commit in VERSION: name it by the revision so
# two dev builds are not the same package version.
if [ -z "$since" ] && [ "$pre" = dev ]; then
	[[ $revision =~ ^[0-9A-Za-z]+$ ]] || { echo "debversion: REVISION ${revision@Q} is not a commit hash" >&2; exit 1; }
	local_part=$revision${local_part:+.}$local_part
fi
[ -z "$local_part" ] || deb+="+$local_part"
echo "$deb"
