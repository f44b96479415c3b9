#!/usr/bin/env bash
# Makes a corpus of live JVM anonymous memory: the resident pages of a running JVM's private anonymous mappings
# (Java heap, metaspace, thread stacks, malloc arenas) — what zswap and frontswap would get from a JVM under
# memory pressure, as the study's default corpus (the JDK's lib/modules and libjvm.so, files on disk) is not.
#   scripts/jvm-anon-corpus.sh [OUT] [SECONDS] [HEAP]
#     OUT      corpus file to write (default: target/corpus/jvm-anon.pages)
#     SECONDS  how long the JVM works before its memory is read (default: 20)
#     HEAP     its -Xmx (default: 256m)
# The JVM compiles the engine's sources with javac over and over, in-process (ASTs, symbol tables, strings,
# class files, and the garbage between runs, as in a build server). It is stopped (SIGSTOP), its resident
# anonymous pages are read through /proc/PID/pagemap and /proc/PID/mem, and it is killed. Needs root (pagemap
# gives page frames only to root, and reading another process's memory needs ptrace rights) and
# cli/target/tmem4j-cli.jar (`./tmem4j build`) as the class path the sources compile against.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=${1:-$ROOT/target/corpus/jvm-anon.pages}
SECONDS_TO_RUN=${2:-20}
HEAP=${3:-256m}

die() { echo "jvm-anon-corpus: $*" >&2; exit 2; }
[[ $SECONDS_TO_RUN =~ ^[1-9][0-9]*$ ]] || die "SECONDS must be a positive integer, was '$SECONDS_TO_RUN'"
[[ $HEAP =~ ^[1-9][0-9]*[kKmMgG]$ ]] || die "HEAP must be a size like 256m, was '$HEAP'"
[ "$(id -u)" -eq 0 ] || die "needs root: /proc/PID/pagemap gives page frames (the present bit) only to root"
JAR=$ROOT/cli/target/tmem4j-cli.jar
[ -f "$JAR" ] || die "$JAR is missing: run ./tmem4j build first"
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
command -v python3 >/dev/null || die "python3 is needed to read the pagemap"

WORK=$(mktemp -d /tmp/tmem4j-jvm-anon.XXXXXX)
PID=
cleanup() {
  [ -z "$PID" ] || kill -KILL "$PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

cat > "$WORK/Workload.java" <<'EOF'
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.tools.ToolProvider;

/** Compiles the given sources again and again, in this JVM, until killed. */
public class Workload {
    public static void main(String[] args) throws Exception {
        List<String> options = new ArrayList<>(List.of("-d", args[1], "-proc:none", "-nowarn", "-cp", args[2]));
        try (var sources = Files.walk(Path.of(args[0]))) {
            sources.map(Path::toString).filter(p -> p.endsWith(".java")).forEach(options::add);
        }
        System.out.println("compiling " + (options.size() - 6) + " sources");
        while (true) {
            ToolProvider.getSystemJavaCompiler().run(null, null, null, options.toArray(String[]::new));
        }
    }
}
EOF
mkdir "$WORK/classes"
"$JAVA" -Xmx"$HEAP" "$WORK/Workload.java" "$ROOT/engine/src/main/java" "$WORK/classes" "$JAR" >"$WORK/log" 2>&1 &
PID=$!
disown "$PID"  # killed at the end: no job-control notice
sleep "$SECONDS_TO_RUN"
kill -0 "$PID" 2>/dev/null || die "the workload JVM ended early: $(cat "$WORK/log")"
kill -STOP "$PID"

mkdir -p "$(dirname "$OUT")"
python3 - "$PID" "$OUT" <<'EOF'
import struct, sys
pid, out = sys.argv[1], sys.argv[2]
PAGE = 4096
pages = regions = 0
with open(f"/proc/{pid}/maps") as maps, open(f"/proc/{pid}/pagemap", "rb") as pagemap, \
        open(f"/proc/{pid}/mem", "rb") as mem, open(out, "wb") as dst:
    for line in maps:
        fields = line.split()
        start, end = (int(x, 16) for x in fields[0].split("-"))
        perms, inode = fields[1], fields[4]
        name = fields[5] if len(fields) > 5 else ""
        # private anonymous memory: no file behind it ([heap], [stack] and unnamed mappings)
        if not perms.startswith("rw") or perms[3] != "p" or inode != "0" or name in ("[vvar]", "[vdso]", "[vsyscall]"):
            continue
        regions += 1
        count = (end - start) // PAGE
        pagemap.seek(start // PAGE * 8)
        entries = pagemap.read(count * 8)
        for i in range(count):
            (entry,) = struct.unpack_from("<Q", entries, i * 8)
            if entry >> 63 & 1:  # present in RAM (a swapped-out page has bit 62 instead)
                mem.seek(start + i * PAGE)
                dst.write(mem.read(PAGE))
                pages += 1
print(f"jvm-anon-corpus: wrote {out}: {pages} resident pages of 4 KiB from {regions} anonymous mappings",
      file=sys.stderr)
EOF
echo "$OUT"
