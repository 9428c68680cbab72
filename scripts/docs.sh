#!/usr/bin/env bash
# Build the API documentation of the public headers (+ docs/GUIDE.md as the
# main page) with Doxygen into build-docs/html. Warnings are errors
# (WARN_AS_ERROR=YES in Doxyfile): an undocumented public symbol or
# parameter fails. The version shown is the one of include/fracbnn/fracbnn.h.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v doxygen >/dev/null || { echo "docs: doxygen not installed (scripts/setup.sh installs it)"; exit 1; }
version=$(sed -n 's/^#define FBNN_VERSION_STRING "\([^"]*\)".*/\1/p' include/fracbnn/fracbnn.h)
{ cat Doxyfile; echo "PROJECT_NUMBER = $version"; } | doxygen -
echo "docs: build-docs/html/index.html (libfracbnn $version)"
