// Package ignore decides which files under a watched folder the folder-sync
// service skips, using gitignore syntax so users can reuse what they already
// know. Paths are relative to the watched folder root with "/" separators.
// New compiles every pattern line once: the line is split on "/" into
// segments, and each segment becomes either a "**" wildcard spanning any
// number of directories or a glob over one name (with fast paths for literal,
// prefix and suffix globs), so Match walks the path in place, without regexp
// and without allocating, which matters at 100,000 files per rescan. A pattern
// without a slash (other than a trailing one) matches a name at any depth; one
// with a leading or middle slash is anchored to the folder root; a trailing
// slash restricts it to directories. Precedence follows git: sources apply in
// the order given and lines in file order, the last pattern that matches a
// path decides (so a "!" pattern re-includes), and a path below an excluded
// directory stays excluded whatever later patterns say, because the sync walk,
// like git, never descends into an excluded directory. Builtin names (hidden
// files, editor backups, downloads in progress) are a separate, fixed rule
// because they hold whatever the user writes; Match does not consult them.
package ignore
