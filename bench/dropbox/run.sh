#!/bin/sh
# Drop-folder figures (see bench_dropbox.c).  Usage: bench/dropbox/run.sh [build dir] [temp dir]
set -eu
build=${1:-build}
cmake --build "$build" --target bench_dropbox >/dev/null
exec "$build/bin/bench_dropbox" ${2:-}
