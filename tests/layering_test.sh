#!/usr/bin/env bash
# The rooms' layering (docs/architecture.md, "Folders"): every project
# include of a file in common/, provincial/ or national/ names a room its
# own room may use, no files include each other in a loop, and no modules
# (X.h with X.cc) use each other in a loop (tsort finds any cycle).
#
#   tests/layering_test.sh SOURCE_DIR
set -euo pipefail
src=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$src"

# The rooms each room may include (besides itself).
allowed() {
  local common="common/base common/crypto common/sql common/tables common/metrics common/teacher common/pki common/audit common/login common/rpc common/web"
  case "$1" in
    common/base) echo "" ;;
    common/crypto | common/sql | common/tables | common/metrics) echo "common/base" ;;
    common/teacher) echo "common/base common/crypto common/tables" ;;
    common/pki) echo "common/base common/crypto common/teacher" ;;
    common/audit) echo "common/base common/crypto common/sql common/metrics common/teacher" ;;
    common/login) echo "common/base common/crypto common/sql common/metrics common/teacher common/audit" ;;
    common/rpc) echo "common/base common/crypto common/tables common/metrics common/teacher common/pki common/audit" ;;
    common/web) echo "common/base common/crypto common/tables common/metrics common/teacher common/pki common/audit common/login common/rpc" ;;
    provincial/core) echo "$common" ;;
    provincial/import | provincial/sync | provincial/tools)
      echo "$common provincial/core" ;;
    provincial/server)
      echo "$common provincial/core provincial/import provincial/sync" ;;
    provincial/client) echo "$common" ;;
    provincial/web)
      echo "$common provincial/core provincial/import provincial/sync provincial/server provincial/client" ;;
    provincial/cli)
      echo "$common provincial/core provincial/import provincial/sync provincial/server provincial/web provincial/tools provincial/client" ;;
    national/accounts | national/registry | national/rollup) echo "$common" ;;
    national/ingest) echo "$common national/accounts national/registry national/rollup" ;;
    national/query) echo "$common national/accounts national/registry national/rollup national/ingest" ;;
    national/rpc)
      echo "$common national/accounts national/registry national/rollup national/ingest national/query" ;;
    national/server)
      echo "$common national/accounts national/registry national/rollup national/ingest national/query national/rpc" ;;
    national/web)
      echo "$common national/accounts national/registry national/rollup national/ingest national/query national/rpc national/server" ;;
    national/cli)
      echo "$common national/accounts national/registry national/rollup national/ingest national/query national/rpc national/server national/web" ;;
    *) echo "?" ;;
  esac
}

bad=0
edges=$(mktemp)
trap 'rm -f "$edges"' EXIT
while IFS= read -r file; do
  room=$(dirname "$file")
  rules=$(allowed "$room")
  if [ "$rules" = "?" ] || [ -z "$room" ]; then
    echo "$file: its folder $room is not a known room (add it to tests/layering_test.sh and docs/architecture.md)"
    bad=1
    continue
  fi
  while IFS= read -r inc; do
    [ -f "$inc" ] || continue  # generated (ntmis/v1/…) or a library header
    echo "$file $inc" >>"$edges"
    target=$(dirname "$inc")
    [ "$target" = "$room" ] && continue
    case " $rules " in
      *" $target "*) ;;
      *)
        echo "$file includes $inc: $room may not use $target"
        bad=1
        ;;
    esac
  done < <(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$file")
done < <(find common provincial national \( -name '*.h' -o -name '*.cc' \) | sort)

if ! tsort "$edges" >/dev/null 2>"$edges.err"; then
  echo "include loop:"
  cat "$edges.err"
  bad=1
fi
# Modules: a header, its .cc and its private X_internal.h are one module;
# no two modules may use each other, even through files of their own.
sed -E 's/(_internal)?\.(h|cc)( |$)/\3/g' "$edges" | awk '$1 != $2' >"$edges.mod"
if ! tsort "$edges.mod" >/dev/null 2>"$edges.err"; then
  echo "module loop (a .h/.cc pair uses a module that uses it back):"
  cat "$edges.err"
  bad=1
fi
rm -f "$edges.err" "$edges.mod"
[ "$bad" = 0 ] && echo "layering holds: $(wc -l <"$edges") includes checked, no loop"
exit "$bad"
