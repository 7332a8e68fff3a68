#!/usr/bin/env bash
# sizes.sh — where the code outgrows the house rule (STYLE.md / COMMON: no function
# over ~150 lines, no file over ~900), outside tests. Prints one line per offender:
#   file  <path> <lines>
#   func  <path>:<start>-<end> <lines> <name>
# Usage: scripts/sizes.sh [max_file_lines] [max_func_lines]   (defaults 900 150)
# Exit status 0 always: a list to read, not a gate. Needs universal-ctags.
set -euo pipefail
cd "$(dirname "$0")/.."
max_file=${1:-900}
max_func=${2:-150}
mapfile -t srcs < <(git ls-files -- '*.c' '*.h' '*.sh' '*.js' '*.py' |
	grep -Ev '^(tests/|docs/)' || true)
for f in "${srcs[@]}"; do
	[ -f "$f" ] || continue
	n=$(wc -l <"$f")
	[ "$n" -gt "$max_file" ] && printf 'file  %s %d\n' "$f" "$n"
done
mapfile -t csrcs < <(printf '%s\n' "${srcs[@]}" | grep -E '\.c$' || true)
[ "${#csrcs[@]}" -gt 0 ] || exit 0
ctags --fields=+ne --c-kinds=f -x --_xformat='%{input} %{line} %{end} %{name}' "${csrcs[@]}" 2>/dev/null |
	awk -v max="$max_func" '$3 != "" && $3 - $2 + 1 > max { printf "func  %s:%d-%d %d %s\n", $1, $2, $3, $3 - $2 + 1, $4 }' |
	sort -k3,3nr
