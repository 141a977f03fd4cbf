#!/usr/bin/env bash
# The float64 softmax backward from y in C: this tree's headers against REV's (tools/c/softmax_vjp_y_ab.c).
#   bash tools/c/softmax_vjp_y_ab.sh REV [MARCH] [n threads OFF K]...
#   e.g. bash tools/c/softmax_vjp_y_ab.sh 9a88e38 "-march=x86-64-v3" 100000 2 2 1000
set -euo pipefail
rev=${1:?usage: softmax_vjp_y_ab.sh REV [MARCH] [n threads OFF K]}
march=${2:--march=x86-64-v4 -mprefer-vector-width=512}
shift $(( $# >= 2 ? 2 : 1 ))
repo=$(git rev-parse --show-toplevel)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/old"
for f in $(git -C "$repo" ls-tree --name-only "$rev" cact/ | grep -E '\.(h|inc)$'); do
    git -C "$repo" show "$rev:$f" > "$work/old/$(basename "$f")"
done
py=$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["include"])')
F="-O3 -fno-math-errno -fno-trapping-math -ffp-contract=off $march -fwrapv -I$py"
src="$repo/tools/c/softmax_vjp_y_ab.c"
gcc $F -I"$work/old" -DWRAP=old_rows -DWRAP1=old_row -c "$src" -o "$work/old.o"
gcc $F -I"$repo/cact" -DWRAP=new_rows -DWRAP1=new_row -c "$src" -o "$work/new.o"
gcc $F -fopenmp "$src" "$work/old.o" "$work/new.o" -o "$work/ab" -lm
"$work/ab" "$@"
