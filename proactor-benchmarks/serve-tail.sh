#!/bin/bash
# Measures one 10 s window of `proactor serve` (or nginx) on the 13-byte file, pinned, with what
# competes for the server's CPU: BENCHMARKS.md "Serve's p99 tail". Server on CPU 0, wrk -t1 -c64 on
# CPU 1, eight 1 s warm-up runs first; around the window it reads each server thread's CPU, its
# run-queue wait (/proc/PID/task/TID/schedstat) and involuntary switches, and the steal time of CPUs
# 0 and 1. Results in /tmp/servetail/TAG-*; serve's GC and safepoint log in TAG-gc.log.
# usage: serve-tail.sh TAG "JAVA_OPTS" [serve options]   (a TAG containing "nginx" runs nginx)
# RT=1 runs server and wrk under nice -n -20 (root), out of the way of other nice-0 work.
# Hold the benchmark lock around it: flock /tmp/bench.lock proactor-benchmarks/serve-tail.sh ...
set -u
mkdir -p /tmp/servetail/www /tmp/servetail/ng
printf 'Hello, World!' > /tmp/servetail/www/hello
cat > /tmp/servetail/ng/nginx.conf <<'CONF'
worker_processes 1;
pid /tmp/servetail/ng/nginx.pid;
error_log /tmp/servetail/ng/nginx-error.log warn;
events { worker_connections 4096; }
http {
    access_log off; sendfile on; tcp_nopush on; tcp_nodelay on;
    keepalive_requests 1000; keepalive_timeout 120s;
    client_body_temp_path /tmp/servetail/ng/cb; proxy_temp_path /tmp/servetail/ng/p;
    fastcgi_temp_path /tmp/servetail/ng/f; uwsgi_temp_path /tmp/servetail/ng/u; scgi_temp_path /tmp/servetail/ng/s;
    default_type application/octet-stream;
    server { listen 127.0.0.1:PORT backlog=1024; root /tmp/servetail/www; }
}
CONF
tag=$1; jopts=$2; shift 2
RTP=; [ -n "${RT:-}" ] && RTP="nice -n -20"
cd "$(dirname "$0")/.."
port=$((20000 + RANDOM % 10000))
if [[ $tag == *nginx* ]]; then
  sed "s/PORT/$port/" /tmp/servetail/ng/nginx.conf > /tmp/servetail/ng/run.conf
  $RTP taskset -c 0 nginx -p /tmp/servetail/ng -e /tmp/servetail/ng/nginx-error.log -c /tmp/servetail/ng/run.conf -g 'daemon off;' > /tmp/servetail/$tag-serve.out 2>&1 &
  pid=$!
else
  PROACTOR_JAVA_OPTS="$jopts -Xlog:gc*,safepoint:file=/tmp/servetail/$tag-gc.log" $RTP taskset -c 0 bin/proactor serve /tmp/servetail/www --port $port "$@" > /tmp/servetail/$tag-serve.out 2>&1 &
  pid=$!
fi
for i in $(seq 120); do curl -s -o /dev/null http://127.0.0.1:$port/hello && break; sleep 0.5; done
for i in $(seq 8); do taskset -c 1 wrk -t1 -c64 -d1s http://127.0.0.1:$port/hello >/dev/null; done
pids="$pid $(pgrep -P $pid)"
snap() { for p in $pids; do for t in /proc/$p/task/*; do
  echo "$(basename $t) $(tr ' ' '_' < $t/comm) $(awk '{print $14+$15}' $t/stat) $(awk '{print $2}' $t/schedstat) $(awk '/nonvoluntary/{print $2}' $t/status)"; done; done; }
snap > /tmp/servetail/$tag-s0; grep "^cpu[01] " /proc/stat > /tmp/servetail/$tag-st0
uptime > /tmp/servetail/$tag-wrk.txt
date -u +%T.%N >> /tmp/servetail/$tag-wrk.txt
$RTP taskset -c 1 wrk -t1 -c64 -d10s --latency http://127.0.0.1:$port/hello >> /tmp/servetail/$tag-wrk.txt
date -u +%T.%N >> /tmp/servetail/$tag-wrk.txt
snap > /tmp/servetail/$tag-s1; grep "^cpu[01] " /proc/stat > /tmp/servetail/$tag-st1
uptime >> /tmp/servetail/$tag-wrk.txt
kill $pid; sleep 0.5; for p in $pids; do kill $p 2>/dev/null; done
wait $pid 2>/dev/null
grep -E "Requests/sec|50%|99%|load" /tmp/servetail/$tag-wrk.txt | tr '\n' ' '; echo
# per thread: cpu ticks, run-queue wait ms, involuntary switches in the window
join <(sort /tmp/servetail/$tag-s0) <(sort /tmp/servetail/$tag-s1) | awk '{c=$7-$3; w=($8-$4)/1e6; n=$9-$5; if (c>0||w>1) printf "  %s cpu=%dms runqwait=%.0fms invol=%d\n",$2,c*10,w,n}'
paste /tmp/servetail/$tag-st0 /tmp/servetail/$tag-st1 | awk "{printf \"  %s steal=%dms irq+softirq=%dms\\n\", \$1, (\$20-\$9)*10, (\$18+\$19-\$7-\$8)*10}"; grep -E "^ +99%|Latency  " /tmp/servetail/$tag-wrk.txt | tr -s " " | tr "\n" " "; echo
