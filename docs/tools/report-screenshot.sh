#!/usr/bin/env bash
# Renders an Engram HTML report to a PNG with Debian's chromium, headless, and fails when the page logs an error
# (a console error, an uncaught exception, or a blocked load: the report's content security policy forbids any
# network access). The browser is driven over the DevTools protocol by dev.engram.report.Chromium (compiler test
# sources), since new headless chromium no longer prints console messages.
#   docs/tools/report-screenshot.sh REPORT.html OUT.png [WIDTH HEIGHT]
# Needs chromium (apt-get install -y chromium).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
html="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
png="$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"
shift 2
exec "$here/bench/run" compiler dev.engram.report.Chromium "$html" "$png" "$@"
