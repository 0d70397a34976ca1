#!/usr/bin/env bash
# Builds the benchmarks, runs the JMH suites (and fio, for the native ceiling), the echo suite, the
# idle-connection suite, the HTTP suite (wrk against proactor serve, nginx and the Java peers) and the
# hash suite (`proactor hash` against sha256sum) in rounds, and writes OUT/results.md: medians with ratios against the peers and the project's
# targets, plus SVG charts.
# bin/bench runs this same script.
#
# Usage: proactor-benchmarks/run-benchmarks.sh [options] [-- extra JMH arguments]
#   --quick          short iterations (JMH 2 x 1 s warm-up, 3 x 1 s measured; fio 3 s; echo 0.5 s
#                    warm-up, 1.5 s measured per cell) for a first look: about 3 minutes on two
#                    cores without echo, 7 with it (a full round takes about 7, and 15 with echo);
#                    http 1 s warm-up, 3 s measured per cell, after four 1 s runs to warm each
#                    server up (up to 20 for a JVM whose JIT compilers are still busy): about 4
#                    minutes more
#   --rounds N       run every suite N times, A B A B ..., and pool the rounds (default 1)
#   --suite S        nop, read, echo, idle, http, hash, a comma list of them (nop,read), or all (default:
#                    all six); idle holds 10,000 idle connections per contender and measures the server's
#                    memory per connection: about 20 s per contender; hash times `bin/proactor hash`,
#                    `sha256sum` and `xargs -P2 sha256sum` on a tree whose pages are cached: under a minute
#   --hash-tree DIR  hash suite: the tree to hash (default: the benchmarks' JDK, about 300 MiB)
#   --hash-runs N    hash suite: runs of each contender per round, taken in turn (default 5; 3 with --quick)
#   --echo-pin MODE  echo suite: both (pinned and unpinned, default), yes or no; pinned puts the
#                    server JVM on CPU 0 and the load generator on CPU 1
#   --echo-impls L   echo suite: comma-separated contenders (default: all twelve, see EchoBench;
#                    proactor-echo is the shipped `proactor echo`, run from proactor-cli's jar;
#                    proactor-echo-inline, not among them, the same with --inline-handlers)
#   --echo-spin US   echo suite: ProactorConfig.dispatcherSpin, in microseconds, for this jar's proactor-*
#                    servers (EchoBench --dispatcher-spin-us; not proactor-echo nor nio2-proactor)
#   --idle-impls L   idle suite: comma-separated contenders (default: the same twelve)
#   --http-pin MODE  http suite: both (default), yes or no; pinned puts the server on CPU 0 and wrk
#                    (one thread; two when unpinned) on CPU 1
#   --http-impls L   http suite: comma-separated contenders (default: all eleven: proactor-serve,
#                    proactor-fixed,proactor-fixed-inline,nginx,nginx-fixed,h2o,netty-uring,netty-epoll,nio2,
#                    nio2-proactor,vthreads; nginx-auto and netty-uring-auto on request); nginx serves /hello
#                    as the same 13-byte file proactor serve does, nginx-fixed answers it with a fixed
#                    response (return 200, the 13 B cell only). What each server is given: nginx, nginx-fixed
#                    worker_processes 1, nginx-auto worker_processes auto; h2o one thread; netty-* one event
#                    loop, netty-uring-auto one per CPU the server may use (1 pinned); proactor serve its
#                    default of one dispatcher (a variant may give --dispatchers N). The report lists it per cell.
#   --serve-variant "NAME=[JAR][:JVM OPTIONS][ -- SERVE OPTIONS]"
#                    http suite: one more contender NAME (starting proactor-serve-), proactor serve from
#                    JAR (default: this checkout's) with these JVM options instead of the heap options and
#                    these options of its own (e.g. "proactor-serve-d1=: -- --dispatchers 1");
#                    repeatable; name it in --http-impls too (HttpBench's javadoc has examples)
#   --no-fio         skip fio (otherwise installed with apt-get when missing, skipped if that fails)
#   --no-build       use the benchmarks.jar already built
#   --out DIR        results directory (default bench-results, under the current directory)
#   --data-dir DIR   where the 1 GiB test files go (default OUT/data; same filesystem for JMH and fio)
#   --pin CPUS       run the JMH forks and fio under taskset -c CPUS (e.g. 1); default unpinned
#   -h, --help       this text
# Everything after -- goes to JMH as it is, e.g. -- -p handlers=worker -p buffer=direct,lease
#
# Examples, from the repository root:
#   proactor-benchmarks/run-benchmarks.sh --quick              # everything, short iterations
#   proactor-benchmarks/run-benchmarks.sh --rounds 3           # the run behind BENCHMARKS.md
#   proactor-benchmarks/run-benchmarks.sh --suite nop -- -prof stack
#   proactor-benchmarks/run-benchmarks.sh --suite http --quick --http-impls nginx,proactor-serve
#
# Needs JDK 25 (JAVA_HOME, or the newest under /usr/lib/jvm; Maven's toolchains plugin picks it
# for the build), python3 for the report, and root for apt-get when fio, wrk, nginx or h2o is missing.
# Nothing here passes or fails on a number: the script reports, a reader judges.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"

quick=0 rounds=1 suite=all fio=1 build=1 out="bench-results" data_dir="" pin="" echo_pin=both echo_impls="" echo_spin="" idle_impls=""
http_pin=both http_impls="" serve_variants=() hash_tree="" hash_runs=""
jmh_extra=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) quick=1 ;;
    --rounds) rounds="$2"; shift ;;
    --suite) suite="$2"; shift ;;
    --no-fio) fio=0 ;;
    --no-build) build=0 ;;
    --out) out="$2"; shift ;;
    --data-dir) data_dir="$2"; shift ;;
    --pin) pin="$2"; shift ;;
    --echo-pin) echo_pin="$2"; shift ;;
    --echo-impls) echo_impls="$2"; shift ;;
    --echo-spin) echo_spin="$2"; shift ;;
    --idle-impls) idle_impls="$2"; shift ;;
    --http-pin) http_pin="$2"; shift ;;
    --http-impls) http_impls="$2"; shift ;;
    --serve-variant) serve_variants+=(--serve-variant "$2"); shift ;;
    --hash-tree) hash_tree="$2"; shift ;;
    --hash-runs) hash_runs="$2"; shift ;;
    --) shift; jmh_extra=("$@"); break ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "unknown option: $1 (try --help)" >&2; exit 2 ;;
  esac
  shift
done
[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || { echo "--rounds takes a positive number" >&2; exit 2; }
[[ "$suite" == all ]] && suite=nop,read,echo,idle,http,hash
for s_ in ${suite//,/ }; do
  case "$s_" in
    nop|read|echo|idle|http|hash) ;;
    *) echo "--suite takes nop, read, echo, idle, http, hash, a comma list of them, or all" >&2; exit 2 ;;
  esac
done
[[ -z "$hash_runs" || "$hash_runs" =~ ^[1-9][0-9]*$ ]] || { echo "--hash-runs takes a positive number" >&2; exit 2; }
has() { [[ ",$suite," == *",$1,"* ]]; }
case "$echo_pin" in both|yes|no) ;; *) echo "--echo-pin takes both, yes or no" >&2; exit 2 ;; esac
case "$http_pin" in both|yes|no) ;; *) echo "--http-pin takes both, yes or no" >&2; exit 2 ;; esac

mkdir -p "$out"
out="$(cd "$out" && pwd)"
rm -f "$out/load.txt"
data_dir="${data_dir:-$out/data}"
mkdir -p "$data_dir"
data_dir="$(cd "$data_dir" && pwd)"

# Every step also logs the load average: on a shared machine it is part of the result.
step() {
  printf '\n\033[1m==> %s\033[0m\n' "$*"
  printf '%s  load %s  %s\n' "$(date -u +%H:%M:%S)" "$(cut -d' ' -f1-3 /proc/loadavg)" "$*" >> "$out/load.txt"
}

# --- JDK 25, found as the build's toolchain plugin finds it: JAVA_HOME when it is 25 or newer,
# else the newest JDK under /usr/lib/jvm.
java_feature() {  # prints the feature release of the JDK at $1, or nothing
  local rel="$1/release" v
  [[ -x "$1/bin/java" ]] || return 0
  if [[ -f "$rel" ]]; then
    v="$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$rel")"
  else
    v="$("$1/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1)"
  fi
  echo "$v"
}
find_jdk() {
  local best="" best_v=0 d v
  if [[ -n "${JAVA_HOME:-}" ]]; then
    v="$(java_feature "$JAVA_HOME")"
    if [[ -n "$v" && "$v" -ge 25 ]]; then echo "$JAVA_HOME"; return; fi
  fi
  for d in /usr/lib/jvm/*; do
    [[ -L "$d" ]] && continue
    v="$(java_feature "$d")"
    if [[ -n "$v" && "$v" -ge 25 && "$v" -gt "$best_v" ]]; then best="$d" best_v="$v"; fi
  done
  [[ -n "$best" ]] && echo "$best"
}
jdk="$(find_jdk || true)"
[[ -n "$jdk" ]] || { echo "no JDK 25 or newer in JAVA_HOME or /usr/lib/jvm" >&2; exit 1; }
java="$jdk/bin/java"

jar="$here/target/benchmarks.jar"
# The http suite runs `proactor serve` from it, echo and idle `proactor echo` (the proactor-echo contender).
proactor_jar="$root/proactor-cli/target/proactor.jar"
if [[ "$build" == 1 ]]; then
  modules=proactor-core,proactor-benchmarks
  if has http || has echo || has idle || has hash; then modules="$modules,proactor-cli"; fi
  step "Building $modules (the toolchains plugin picks JDK 25; benchmarks run on $jdk)"
  (cd "$root" && ./mvnw -q -B -pl "$modules" -am package -DskipTests)
fi
[[ -f "$jar" ]] || { echo "missing $jar: build first (drop --no-build)" >&2; exit 1; }

# --- fio, optional.
if [[ "$fio" == 1 ]] && has read && ! command -v fio >/dev/null 2>&1; then
  step "Installing fio (Debian package)"
  if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1 \
      && (apt-get install -y -q fio >/dev/null 2>&1 || (apt-get update -q >/dev/null 2>&1 && apt-get install -y -q fio >/dev/null 2>&1)); then
    echo "fio $(fio --version)"
  else
    echo "fio could not be installed: the table will have no native ceiling (use --no-fio to skip this step)"
    fio=0
  fi
fi

# --- wrk, nginx and h2o for the http suite, from Debian's packages.
apt_install() {  # package: installs it with apt-get when we are root, else fails
  [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1 \
    && (apt-get install -y -q "$1" >/dev/null 2>&1 || (apt-get update -q >/dev/null 2>&1 && apt-get install -y -q "$1" >/dev/null 2>&1))
}
nginx_bin="$(command -v nginx || { [[ -x /usr/sbin/nginx ]] && echo /usr/sbin/nginx; } || true)"
h2o_bin="$(command -v h2o || { [[ -x /usr/bin/h2o ]] && echo /usr/bin/h2o; } || true)"
all_http_impls=proactor-serve,proactor-fixed,proactor-fixed-inline,nginx,nginx-fixed,h2o,netty-uring,netty-epoll,nio2,vthreads
if has http; then
  if ! command -v wrk >/dev/null 2>&1; then
    step "Installing wrk (Debian package)"
    apt_install wrk || { echo "wrk could not be installed: the http suite is skipped"; suite="${suite//http/}"; }
  fi
  if has http && [[ -z "$nginx_bin" ]] && [[ -z "$http_impls" || ",$http_impls," == *",nginx"* ]]; then
    step "Installing nginx (Debian package nginx-light; not started as a service)"
    if apt_install nginx-light || apt_install nginx; then
      nginx_bin="$(command -v nginx || echo /usr/sbin/nginx)"
    fi
    if [[ -z "$nginx_bin" || ! -x "$nginx_bin" ]]; then
      echo "nginx could not be installed: the http suite runs without it"
      http_impls="${http_impls:-$all_http_impls}"
      http_impls="$(echo ",$http_impls," | sed 's/,nginx,/,/; s/,nginx-auto,/,/; s/,nginx-fixed,/,/; s/^,//; s/,$//')"
    fi
  fi
  if has http && [[ -z "$h2o_bin" ]] && [[ -z "$http_impls" || ",$http_impls," == *",h2o,"* ]]; then
    step "Installing h2o (Debian package h2o; not started as a service)"
    if apt_install h2o; then
      h2o_bin="$(command -v h2o || echo /usr/bin/h2o)"
      # The package starts its own service on port 80; the suite runs its own h2o, so stop that one.
      if command -v systemctl >/dev/null 2>&1; then systemctl stop h2o >/dev/null 2>&1 || true; fi
    fi
    if [[ -z "$h2o_bin" || ! -x "$h2o_bin" ]]; then
      echo "h2o could not be installed: the http suite runs without it"
      http_impls="${http_impls:-$all_http_impls}"
      http_impls="$(echo ",$http_impls," | sed 's/,h2o,/,/; s/^,//; s/,$//')"
    fi
  fi
fi

if has hash && [[ ! -x /usr/bin/time ]]; then
  step "Installing GNU time (Debian package time)"
  apt_install time || { echo "GNU time could not be installed: the hash suite is skipped"; suite="${suite//hash/}"; }
fi

taskset_cmd=()
if [[ -n "$pin" ]]; then taskset_cmd=(taskset -c "$pin"); fi

jmh_time=()
fio_runtime=10
echo_time=(--warmup-ms 1000 --measure-ms 3000 --server-warmup-ms 2000)
if [[ "$quick" == 1 ]]; then
  jmh_time=(-wi 2 -i 3 -w 1s -r 1s)
  fio_runtime=3
  echo_time=(--warmup-ms 500 --measure-ms 1500 --server-warmup-ms 1000)
fi
echo_args=("${echo_time[@]}" --pin "$echo_pin" ${echo_impls:+--impls "$echo_impls"} ${echo_spin:+--dispatcher-spin-us "$echo_spin"} --proactor-jar "$proactor_jar")
idle_args=(${idle_impls:+--impls "$idle_impls"} --proactor-jar "$proactor_jar")
http_time=(--warmup-s 3 --measure-s 8)
if [[ "$quick" == 1 ]]; then
  http_time=(--warmup-s 1 --measure-s 3)
fi
http_args=("${http_time[@]}" --pin "$http_pin" ${http_impls:+--impls "$http_impls"} --proactor-jar "$proactor_jar" \
  ${nginx_bin:+--nginx "$nginx_bin"} ${h2o_bin:+--h2o "$h2o_bin"} ${serve_variants[@]+"${serve_variants[@]}"})

# --- What was run on what, for the report.
rm -f "$out"/jmh-*.json "$out"/fio-*.json "$out"/echo-*.jsonl "$out"/idle-*.jsonl "$out"/http-*.jsonl \
  "$out"/hash-*.jsonl "$out"/*.svg
hash_tree="${hash_tree:-$jdk}"
[[ -d "$hash_tree" ]] || { echo "--hash-tree: not a directory: $hash_tree" >&2; exit 2; }
hash_tree="$(cd "$hash_tree" && pwd)"
hash_runs="${hash_runs:-$([[ "$quick" == 1 ]] && echo 3 || echo 5)}"
{
  echo "date:    $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "kernel:  $(uname -sr)"
  echo "cpu:     $(nproc) x $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
  echo "memory:  $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
  echo "jdk:     $("$java" -version 2>&1 | head -1)"
  echo "data fs: $(df -PT "$data_dir" | awk 'NR==2 {print $2 " on " $1}')"
  if [[ "$fio" == 1 ]] && command -v fio >/dev/null; then echo "fio:     $(fio --version)"; fi
  if has http; then
    echo "wrk:     $(wrk -v 2>&1 | head -1)"
    [[ -n "$nginx_bin" ]] && echo "nginx:   $("$nginx_bin" -v 2>&1)"
    [[ -n "$h2o_bin" ]] && echo "h2o:     $("$h2o_bin" --version 2>&1 | head -1)"
  fi
  echo "git:     $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "pinned:  ${pin:-no}"
} > "$out/machine.txt"
jmh_common=(-f 1 "${jmh_time[@]}" -prof gc -jvmArgsAppend "-Dproactor.bench.dir=$data_dir")
{
  echo "proactor-benchmarks/run-benchmarks.sh $([[ $quick == 1 ]] && echo --quick) --rounds $rounds --suite $suite $([[ $fio == 0 ]] && echo --no-fio) ${pin:+--pin $pin} --echo-pin $echo_pin ${echo_impls:+--echo-impls $echo_impls} ${idle_impls:+--idle-impls $idle_impls} --http-pin $http_pin ${http_impls:+--http-impls $http_impls} ${serve_variants[*]:+${serve_variants[*]}} ${jmh_extra[*]:+-- ${jmh_extra[*]}}"
  if has nop || has read; then
    echo "JMH: java --enable-native-access=ALL-UNNAMED -jar benchmarks.jar <suite> ${jmh_common[*]} ${jmh_extra[*]:-} -rf json"
    echo "     (iterations and times not given here come from BenchmarkBase: 1 fork, 3 x 2 s warm-up, 5 x 2 s measured)"
  fi
  if has echo; then
    echo "echo: java --enable-native-access=ALL-UNNAMED -cp benchmarks.jar dev.proactor.bench.echo.EchoBench ${echo_args[*]} --rounds 1 --first-round R --out echo-roundR.jsonl"
    echo "      (per round; sizes 64,16384 B; connections 1,32,256; servers in their own JVM, -Xms512m -Xmx512m)"
  fi
  if has idle; then
    echo "idle: java --enable-native-access=ALL-UNNAMED -cp benchmarks.jar dev.proactor.bench.echo.IdleBench ${idle_args[*]} --rounds 1 --first-round R --out idle-roundR.jsonl"
    echo "      (per round; 10,000 connections, each echoing 1 B, then idle; servers -Xms512m -Xmx512m -XX:+AlwaysPreTouch)"
  fi
  if has http; then
    echo "http: java --enable-native-access=ALL-UNNAMED -cp benchmarks.jar dev.proactor.bench.http.HttpBench ${http_args[*]} --rounds 1 --first-round R --out http-roundR.jsonl"
    echo "      (per round; workloads hello (13 B), 4k.bin, 1m.bin; wrk -c64 --latency, -t1 pinned / -t2 unpinned; proactor serve with bin/proactor's JVM options, other Java servers -Xms512m -Xmx512m;"
    echo "      each server first gets 4 to 20 wrk runs of 1 s that open and close the connections, more than 4 only while"
    echo "      the last cost its JIT compiler threads over 10 ms: --server-warmup-runs, --server-warmup-max; JIT ms per cell in the jsonl)"
  fi
  if has hash; then
    echo "hash: bin/proactor hash TREE; find TREE -type f -print0 | xargs -0 sha256sum; the same with xargs -P2 -n 4"
    echo "      (TREE $hash_tree, $(du -sh "$hash_tree" | cut -f1), its pages read once first; $hash_runs runs of each per"
    echo "      round, taken in turn; wall and CPU from /usr/bin/time; every output checked against sha256sum's)"
  fi
  if [[ "$fio" == 1 ]] && has read; then
    echo "fio: fio --name=randread --filename=DATA --size=1g --rw=randread --bs=4k --invalidate=0 --norandommap --randrepeat=0"
    echo "     --time_based --runtime=$fio_runtime --ramp_time=1 --ioengine=io_uring|psync --iodepth=1|32 [--numjobs=2 --group_reporting]"
    echo "     and io_uring --iodepth=1|32 --direct=1 (O_DIRECT, the peer of RandomRead4k.proactorDirect)"
  fi
} > "$out/command.txt"
cat "$out/machine.txt"

# Shows JMH's own progress lines, keeps everything in a log.
progress() {
  grep --line-buffered -E '^# (Run progress|Benchmark:|Parameters)|^Iteration|^Result|Exception|ERROR|^# Run complete' || true
}

run_jmh() {  # round, suite regex, name
  local round="$1" regex="$2" name="$3"
  step "Round $round/$rounds: JMH $name"
  local json="$out/jmh-$name-round$round.json" log="$out/jmh-$name-round$round.log"
  set +e
  "${taskset_cmd[@]}" "$java" --enable-native-access=ALL-UNNAMED -jar "$jar" "$regex" \
      "${jmh_common[@]}" "${jmh_extra[@]}" -rf json -rff "$json" 2>&1 | tee "$log" | progress
  local rc="${PIPESTATUS[0]}"
  set -e
  [[ "$rc" == 0 ]] || echo "JMH $name exited with $rc (see $log); the report uses what finished"
}

fio_file="$data_dir/fio-randread-1g.bin"
prepare_fio() {
  if [[ ! -f "$fio_file" || "$(stat -c %s "$fio_file")" != 1073741824 ]]; then
    step "Writing the 1 GiB fio file"
    head -c 1073741824 /dev/urandom > "$fio_file"
  fi
  cat "$fio_file" > /dev/null  # page cache warm
}

run_fio() {  # round, engine, depth, jobs, [direct: O_DIRECT, past the page cache]
  local round="$1" engine="$2" depth="$3" jobs="$4" direct="${5:-}"
  local json="$out/fio-$engine-qd$depth-j$jobs${direct:+-direct}-round$round.json"
  printf '  fio %-8s iodepth=%-2s numjobs=%s%s ... ' "$engine" "$depth" "$jobs" "${direct:+ direct=1}"
  if "${taskset_cmd[@]}" fio --name=randread --filename="$fio_file" --size=1g --rw=randread --bs=4k \
      --invalidate=0 --norandommap --randrepeat=0 --time_based --runtime="$fio_runtime" --ramp_time=1 \
      --ioengine="$engine" --iodepth="$depth" --numjobs="$jobs" --group_reporting ${direct:+--direct=1} \
      --output-format=json --output="$json" >/dev/null 2>"$json.err"; then
    python3 - "$json" <<'PY'
import json, sys
text = open(sys.argv[1]).read()
data = json.loads(text[text.index("{"):])
print(f"{sum(job['read']['iops'] for job in data['jobs']):,.0f} IOPS")
PY
    rm -f "$json.err"
  else
    echo "failed (see $json.err)"
    rm -f "$json"
  fi
}

run_harness() {  # round, suite (echo, idle or http), pin mode, main class, its arguments...
  local round="$1" name="$2" pin_mode="$3" main="$4"
  shift 4
  step "Round $round/$rounds: $name (pin: $pin_mode)"
  local log="$out/$name-round$round.log"
  set +e
  # The harness pins itself (taskset -a -p), its servers and its load; --pin does not apply to it.
  "$java" --enable-native-access=ALL-UNNAMED -cp "$jar" "$main" \
      "$@" --rounds 1 --first-round "$round" --out "$out/$name-round$round.jsonl" 2>&1 | tee "$log" \
      | grep --line-buffered -E "^$name:|^  round|FAILED|Exception" || true
  local rc="${PIPESTATUS[0]}"
  set -e
  [[ "$rc" == 0 ]] || echo "$name exited with $rc (see $log); the report uses what finished"
}

# One run of a hash contender: its wall and CPU time as a JSON line, after checking that it printed
# exactly the lines sha256sum printed (in any order: proactor hash lists a tree in name order).
hash_once() {  # round, run, impl, expected lines (sorted), command...
  local round="$1" run="$2" impl="$3" expected="$4"
  shift 4
  local times="$out/hash-time.tmp" got="$out/hash-out.tmp"
  if ! /usr/bin/time -f '%e %U %S' -o "$times" "$@" > "$got" 2>"$out/hash-err.tmp"; then
    echo "  $impl run $run failed: $(tail -1 "$out/hash-err.tmp")"
    return
  fi
  if ! sort "$got" | cmp -s - "$expected"; then
    echo "  $impl run $run printed different sums (kept in $out/hash-$impl-round$round-run$run.out)"
    cp "$got" "$out/hash-$impl-round$round-run$run.out"
    return
  fi
  read -r wall user sys < "$times"
  printf '  %-16s run %s: %s s wall, %s s CPU\n' "$impl" "$run" "$wall" "$(awk -v u="$user" -v s="$sys" 'BEGIN {print u + s}')"
  printf '{"impl":"%s","round":%s,"run":%s,"wallS":%s,"userS":%s,"sysS":%s,"bytes":%s,"files":%s}\n' \
    "$impl" "$round" "$run" "$wall" "$user" "$sys" "$hash_bytes" "$hash_files" >> "$out/hash-round$round.jsonl"
}

run_hash() {  # round
  local round="$1" expected="$out/hash-expected.tmp" run
  step "Round $round/$rounds: hash $hash_tree (warm page cache; $hash_runs runs each)"
  find "$hash_tree" -type f -exec cat {} + > /dev/null
  hash_files="$(find "$hash_tree" -type f | wc -l)"
  hash_bytes="$(find "$hash_tree" -type f -printf '%s\n' | awk '{s += $1} END {print s + 0}')"
  find "$hash_tree" -type f -print0 | xargs -0 sha256sum | sort > "$expected"
  # Untimed: bin/proactor makes its start-up cache on its first run after a build.
  "$root/bin/proactor" --version > /dev/null
  for ((run = 1; run <= hash_runs; run++)); do
    hash_once "$round" "$run" proactor-hash "$expected" "$root/bin/proactor" hash "$hash_tree"
    hash_once "$round" "$run" sha256sum "$expected" sh -c 'find "$1" -type f -print0 | xargs -0 sha256sum' - "$hash_tree"
    hash_once "$round" "$run" xargs-p2 "$expected" \
      sh -c 'find "$1" -type f -print0 | xargs -0 -P2 -n 4 sha256sum' - "$hash_tree"
  done
  rm -f "$expected" "$out/hash-time.tmp" "$out/hash-out.tmp" "$out/hash-err.tmp"
}

for ((r = 1; r <= rounds; r++)); do
  if has hash; then
    run_hash "$r"
  fi
  if has echo; then
    run_harness "$r" echo "$echo_pin" dev.proactor.bench.echo.EchoBench "${echo_args[@]}"
  fi
  if has idle; then
    run_harness "$r" idle no dev.proactor.bench.echo.IdleBench "${idle_args[@]}"
  fi
  if has http; then
    run_harness "$r" http "$http_pin" dev.proactor.bench.http.HttpBench "${http_args[@]}"
  fi
  if has nop; then
    run_jmh "$r" 'dev.proactor.bench.NopRoundTrip' nop
  fi
  if has read; then
    run_jmh "$r" 'dev.proactor.bench.RandomRead4k' read
    if [[ "$fio" == 1 ]]; then
      step "Round $r/$rounds: fio 4 KiB random read, page cache warm, then O_DIRECT"
      prepare_fio
      run_fio "$r" io_uring 1 1
      run_fio "$r" io_uring 32 1
      run_fio "$r" psync 1 1
      run_fio "$r" psync 1 2
      run_fio "$r" io_uring 1 1 direct
      run_fio "$r" io_uring 32 1 direct
    fi
  fi
done
rm -f "$fio_file"
rmdir "$data_dir" 2>/dev/null || true

step "Report"
python3 "$here/report.py" "$out"
echo "Results: $out/results.md"
