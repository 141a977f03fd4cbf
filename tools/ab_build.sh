#!/usr/bin/env bash
# Build cact at an earlier commit as the package `cact_old` (in DIR, default /tmp/cact_ab), so
# tools/ab.py can time it against the working tree's build in one process, interleaved (this
# machine's speed drifts by 1.5x within minutes: only side-by-side ratios mean anything).
#   bash tools/ab_build.sh REV [DIR]; PYTHONPATH=DIR python tools/ab.py ...
set -euo pipefail
rev=${1:?usage: ab_build.sh REV [DIR]}
dir=${2:-/tmp/cact_ab}
repo=$(git rev-parse --show-toplevel)
rm -rf "$dir" && mkdir -p "$dir"
git -C "$repo" worktree add --detach "$dir/src" "$rev" >/dev/null
trap 'git -C "$repo" worktree remove --force "$dir/src"' EXIT
(cd "$dir/src" && python setup.py build_ext --inplace >"$dir/build.log" 2>&1)
cp -r "$dir/src/cact" "$dir/cact_old"
sed -i -e 's/\bfrom cact\./from cact_old./' -e 's/\bfrom cact import/from cact_old import/' \
       -e 's/"cact\._kernels_"/"cact_old._kernels_"/' -e 's/^import cact$/import cact_old as cact/' \
       "$dir"/cact_old/*.py
echo "cact_old ($(git -C "$repo" rev-parse --short "$rev")) in $dir"
