// Command benchtable turns the METRIC lines of one `make bench` run into
// its single table. Every benchmark (bench/run.sh's node sections,
// syncbench, backupbench, appbench, scalebench, stbench) prints its figures
// as "METRIC <name> <value> <unit>"; benchtable reads them all and lays them
// out as rows: the figure, its value, the baseline measured in the same run
// (sha256sum over the same bytes) and the ratio to it, the target, and
// PASS or MISSED against that target, with Syncthing's figure for the same
// measurement beside it where stbench ran. The rows and their targets are
// the table in rows.go, in one place, so that a reader sees what each
// figure is held to; a row whose metric no benchmark printed reads
// "not measured", and a printed metric no row names is listed below the
// table rather than dropped. It reports, it does not gate: it exits
// non-zero only for input it cannot read.
package main
