#!/usr/bin/env python3
"""Turns the JMH (and fio) JSON files of a benchmark run into a Markdown table of medians with
ratios against the peers, plus one SVG bar chart per table.

Usage: report.py RESULTS_DIR  (reads RESULTS_DIR/jmh-*.json, fio-*.json, echo-*.jsonl, idle-*.jsonl,
http-*.jsonl, hash-*.jsonl, machine.txt, command.txt; writes RESULTS_DIR/results.md and RESULTS_DIR/*.svg)

Medians pool every measured iteration of every round (and fork) of one contender; the range shown
is the lowest and highest per-round median, so a reader sees how far rounds disagree. Nothing here
judges a result: the targets are printed beside the ratios for the reader.
"""
import glob
import html
import json
import os
import re
import statistics
import sys
from collections import defaultdict


def median(xs):
    return statistics.median(xs) if xs else None


class Series:
    """All measured values of one contender, by round."""

    def __init__(self):
        self.by_round = defaultdict(list)
        self.alloc = []  # B/op samples (gc.alloc.rate.norm), when -prof gc ran

    def add(self, round_no, values):
        self.by_round[round_no].extend(values)

    @property
    def values(self):
        return [v for vs in self.by_round.values() for v in vs]

    @property
    def median(self):
        return median(self.values)

    def round_range(self):
        meds = [median(v) for v in self.by_round.values() if v]
        return (min(meds), max(meds)) if meds else (None, None)

    @property
    def n(self):
        return len(self.values)

    @property
    def alloc_median(self):
        return median(self.alloc)


def round_of(path):
    m = re.search(r"round(\d+)", os.path.basename(path))
    return int(m.group(1)) if m else 1


def load_jmh(results):
    """{(class, method, frozenset(params)): Series}"""
    out = defaultdict(Series)
    for path in sorted(glob.glob(os.path.join(results, "jmh-*.json"))):
        try:
            with open(path) as f:
                data = json.load(f)
        except (OSError, ValueError) as e:
            print(f"report: skipping {path}: {e}", file=sys.stderr)
            continue
        r = round_of(path)
        for b in data:
            cls, method = b["benchmark"].rsplit(".", 2)[-2:]
            params = tuple(sorted((b.get("params") or {}).items()))
            s = out[(cls, method, params)]
            s.unit = b["primaryMetric"]["scoreUnit"]
            for fork in b["primaryMetric"].get("rawData", []):
                s.add(r, fork)
            norm = (b.get("secondaryMetrics") or {}).get("gc.alloc.rate.norm")
            if norm:
                for fork in norm.get("rawData", []):
                    s.alloc.extend(fork)
    return out


def load_fio(results, direct=False):
    """{(engine, depth, jobs): Series of IOPS}, of the page-cache runs or of the O_DIRECT ones."""
    out = defaultdict(Series)
    for path in sorted(glob.glob(os.path.join(results, "fio-*.json"))):
        m = re.search(r"fio-(\w+)-qd(\d+)-j(\d+)(-direct)?-round", os.path.basename(path))
        if not m or (m.group(4) is not None) != direct:
            continue
        try:
            with open(path) as f:
                text = f.read()
            data = json.loads(text[text.index("{"):])  # fio may print notes before the JSON
        except (OSError, ValueError) as e:
            print(f"report: skipping {path}: {e}", file=sys.stderr)
            continue
        iops = sum(job["read"]["iops"] for job in data["jobs"])
        out[(m.group(1), int(m.group(2)), int(m.group(3)))].add(round_of(path), [iops])
    return out


def fmt(x, digits=0):
    if x is None:
        return "–"
    if digits == 0:
        return f"{x:,.0f}"
    return f"{x:,.{digits}f}"


def ratio(a, b):
    if a is None or b is None or b == 0:
        return "–"
    return f"{a / b:.2f}x"


def svg_bars(path, title, unit, rows):
    """rows: [(label, value)]; a plain horizontal bar chart, no dependencies."""
    rows = [(l, v) for l, v in rows if v is not None]
    if not rows:
        return None
    width, label_w, bar_h, gap, top = 760, 300, 18, 6, 34
    height = top + len(rows) * (bar_h + gap) + 10
    vmax = max(v for _, v in rows) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="12">',
        f'<text x="8" y="20" font-size="14" font-weight="bold">{html.escape(title)} ({html.escape(unit)})</text>',
    ]
    for i, (label, v) in enumerate(rows):
        y = top + i * (bar_h + gap)
        w = (width - label_w - 110) * v / vmax
        color = "#2b6cb0" if label.lower().startswith("proactor") else "#a0aec0"
        parts.append(f'<text x="{label_w - 6}" y="{y + 13}" text-anchor="end">{html.escape(label)}</text>')
        parts.append(f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{color}"/>')
        parts.append(f'<text x="{label_w + w + 4:.1f}" y="{y + 13}">{fmt(v, 0 if v >= 100 else 1)}</text>')
    parts.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(parts) + "\n")
    return os.path.basename(path)


def params_label(params, skip=()):
    # A parameter left at "default" (RandomRead4k's spin) names no variant: keep the labels of
    # runs that do not vary it as they were.
    p = [f"{k}={v}" for k, v in params if k not in skip and v != "default"]
    return ", ".join(p)


NOP_ORDER = ["rawSingle", "rawBatch32", "proactorPipelined", "proactorAwait", "proactorHandler",
             "proactorBatch32", "proactorBatch32Reusable", "threadHandoff"]


def nop_batched(method, params):
    """Whether a no-op contender is compared with the raw batch of 32 (else with the raw single)."""
    if method == "proactorPipelined":
        return dict(params).get("chains") != "1"
    return "Batch32" in method


def nop_shape(method, params):
    if method == "proactorPipelined":
        k = dict(params).get("chains", "?")
        return (f"{k} chain{'s' if k != '1' else ''}, next nop initiated by the handler on the dispatcher, "
                "no hand-off per op")
    if method == "threadHandoff":
        return "two threads, no kernel call"
    if method.startswith("raw"):
        return ("32 per kernel call" if "Batch32" in method else "one per kernel call") + ", one thread"
    if "Batch32" in method:
        return "32 per kernel call, hand-off per op"
    return "one per kernel call, hand-off per op"


def nop_sort_key(kv):
    (c, m, p) = kv[0]
    return (1 if nop_batched(m, p) else 0, NOP_ORDER.index(m) if m in NOP_ORDER else 99, p)


def nop_section(jmh, results, lines):
    nop = {k: s for k, s in jmh.items() if k[0] == "NopRoundTrip"}
    if not nop:
        return
    raw = {m: s for (c, m, p), s in nop.items() if m.startswith("raw")}
    lines += [
        "## No-op round trip",
        "",
        "Lower ns/op is better. Ratio = raw loop's ns/op ÷ this contender's ns/op, i.e. this",
        "contender's operations per second as a fraction of the raw FFM loop's over the same system",
        "calls (target for the batched proactor: >= 0.80x, and 0 B/op on the handler path).",
        "The upper rows keep one nop in flight (peer: rawSingle), the lower ones 32 (peer: rawBatch32).",
        "",
        "| Contender | Shape | ns/op (median) | per-round range | ops/s | B/op | vs raw loop |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    chart = []
    for (c, m, p), s in sorted(nop.items(), key=nop_sort_key):
        peer = raw.get("rawBatch32" if nop_batched(m, p) else "rawSingle")
        lo, hi = s.round_range()
        label = m + (f" ({params_label(p)})" if p else "")
        ops = 1e9 / s.median if s.median else None
        if m.startswith("raw"):
            vs = "1.00x (baseline)"
        elif m == "threadHandoff":
            vs = "(reference: no system call)"
        else:
            vs = ratio(peer.median, s.median) if peer is not None else "–"
        lines.append(
            f"| {label} | {nop_shape(m, p)} | {fmt(s.median, 1)} | "
            f"{fmt(lo, 1)}–{fmt(hi, 1)} | {fmt(ops)} | {fmt(s.alloc_median, 1)} | {vs} |")
        chart.append((label, ops))
    svg = svg_bars(os.path.join(results, "nop.svg"), "No-op round trip", "ops/s", chart)
    lines += ["", f"![No-op round trip]({svg})" if svg else "", ""]


READ_NAMES = {
    "proactor": "Proactor",
    "asyncFileChannel": "AsynchronousFileChannel",
    "fileChannel": "FileChannel (1 thread, QD1)",
    "fileChannel2Threads": "FileChannel (2 threads x QD1)",
}


def read_section(jmh, fio, results, lines):
    reads = {k: s for k, s in jmh.items() if k[0] == "RandomRead4k" and k[1] != "proactorDirect"}
    if not reads and not fio:
        return
    depths = sorted({int(dict(p).get("depth")) for (c, m, p) in reads if dict(p).get("depth")} |
                    {d for (e, d, j) in fio if e == "io_uring"})
    lines += [
        "## 4 KiB random read, 1 GiB file, page cache warm",
        "",
        "Higher IOPS is better. Each ratio column divides this row's IOPS by that peer's at the same",
        "depth (targets for Proactor: >= 0.90x fio io_uring, >= 3x AsynchronousFileChannel). The",
        "blocking rows have no queue depth of their own; they appear in every table as they are.",
        "",
    ]
    for depth in depths:
        rows = []
        for (c, m, p), s in reads.items():
            pd = dict(p)
            if "depth" in pd and int(pd["depth"]) != depth:
                continue
            label = READ_NAMES.get(m, m)
            extra = params_label(p, skip=("depth",))
            rows.append((label + (f" ({extra})" if extra else ""), s))
        for (engine, d, jobs), s in fio.items():
            if engine == "io_uring" and d == depth:
                rows.append((f"fio io_uring (iodepth={d})", s))
            elif engine == "psync":
                rows.append((f"fio psync ({jobs} job{'s' if jobs > 1 else ''} x QD1)", s))

        def find(prefix):
            for label, s in rows:
                if label.startswith(prefix):
                    return s.median
            return None

        peers = [("fio io_uring", find("fio io_uring")), ("AFC", find("AsynchronousFileChannel")),
                 ("FileChannel", find("FileChannel (1 thread"))]
        lines += [
            f"### Queue depth {depth}",
            "",
            "| Contender | IOPS (median) | per-round range | n | B/op | " + " | ".join(f"÷ {n}" for n, _ in peers) + " |",
            "|---|---:|---:|---:|---:|" + "---:|" * len(peers),
        ]
        rows.sort(key=lambda r: (0 if r[0].startswith("Proactor") else 1, -(r[1].median or 0)))
        for label, s in rows:
            lo, hi = s.round_range()
            lines.append(
                f"| {label} | {fmt(s.median)} | {fmt(lo)}–{fmt(hi)} | {s.n} | {fmt(s.alloc_median, 1)} | "
                + " | ".join(ratio(s.median, v) for _, v in peers) + " |")
        svg = svg_bars(os.path.join(results, f"randread-qd{depth}.svg"), f"4 KiB random read, QD{depth}", "IOPS",
                       [(l, s.median) for l, s in rows])
        lines += ["", f"![4 KiB random read QD{depth}]({svg})" if svg else "", ""]


def direct_read_section(jmh, fio_direct, results, lines):
    """O_DIRECT reads: Proactor's proactorDirect against fio --direct=1, by depth."""
    reads = {k: s for k, s in jmh.items() if k[0] == "RandomRead4k" and k[1] == "proactorDirect"}
    if not reads and not fio_direct:
        return
    depths = sorted({int(dict(p)["depth"]) for (c, m, p) in reads if "depth" in dict(p)} |
                    {d for (e, d, j) in fio_direct})
    lines += [
        "## 4 KiB random read, 1 GiB file, O_DIRECT",
        "",
        "Every read goes to the device (virtio disk here), past the page cache. Ratio: this row's IOPS",
        "divided by fio io_uring's with `--direct=1` at the same depth (target at QD32: >= 0.95x).",
        "",
        "| Depth | Contender | IOPS (median) | per-round range | n | B/op | ÷ fio io_uring direct |",
        "|---:|---|---:|---:|---:|---:|---:|",
    ]
    chart = []
    for depth in depths:
        peer = fio_direct.get(("io_uring", depth, 1))
        rows = [("Proactor O_DIRECT (" + params_label(p, skip=("depth",)) + ")", s)
                for (c, m, p), s in sorted(reads.items()) if dict(p).get("depth") == str(depth)]
        if peer is not None:
            rows.append(("fio io_uring --direct=1", peer))
        for label, s in rows:
            lo, hi = s.round_range()
            lines.append(f"| {depth} | {label} | {fmt(s.median)} | {fmt(lo)}–{fmt(hi)} | {s.n} | "
                         f"{fmt(s.alloc_median, 1)} | {ratio(s.median, peer.median if peer else None)} |")
            chart.append((f"QD{depth} {label}", s.median))
    svg = svg_bars(os.path.join(results, "randread-direct.svg"), "4 KiB random read, O_DIRECT", "IOPS", chart)
    lines += ["", f"![4 KiB random read O_DIRECT]({svg})" if svg else "", ""]


ECHO_NAMES = {
    "proactor-echo": "Proactor `proactor echo` as shipped",
    "proactor-echo-inline": "Proactor `proactor echo --inline-handlers` (not the default)",
    "proactor-uring-worker": "Proactor io_uring, worker handlers",
    "proactor-uring-inline": "Proactor io_uring, inline handlers",
    "proactor-uring-stream-worker": "Proactor io_uring streams (multishot), worker handlers",
    "proactor-uring-stream-inline": "Proactor io_uring streams (multishot), inline handlers",
    "proactor-portable-worker": "Proactor portable, worker handlers",
    "proactor-portable-inline": "Proactor portable, inline handlers",
    "netty-uring": "Netty 4.2.18 io_uring (1 event loop)",
    "netty-uring-auto": "Netty 4.2.18 io_uring (an event loop per CPU)",
    "netty-epoll": "Netty 4.2.18 epoll",
    "nio2": "NIO.2 (AsynchronousServerSocketChannel)",
    "nio2-proactor": "NIO.2 on proactor-nio2 (the same server, -D switch)",
    "vthreads": "Blocking sockets, virtual threads",
}
ECHO_PEERS = [("netty-uring", "Netty io_uring"), ("netty-epoll", "Netty epoll"), ("nio2", "NIO.2"),
              ("vthreads", "virtual threads")]


def load_jsonl(results, pattern, key):
    """{key(record): [record per round]} from the files matching pattern (one JSON object a line)."""
    out = defaultdict(list)
    for path in sorted(glob.glob(os.path.join(results, pattern))):
        with open(path) as f:
            for line in f:
                line = line.strip()
                if not line:
                    continue
                try:
                    rec = json.loads(line)
                except ValueError as e:
                    print(f"report: skipping a line of {path}: {e}", file=sys.stderr)
                    continue
                out[key(rec)].append(rec)
    return out


def load_echo(results):
    """{(pinned, size, connections, impl): [record per round]} from echo-*.jsonl."""
    return load_jsonl(results, "echo-*.jsonl", lambda r: (r["pinned"], r["size"], r["connections"], r["impl"]))


class EchoCell:
    """Medians over the rounds of one contender in one cell."""

    def __init__(self, recs):
        self.n = len(recs)
        self.rate = median([r["msgPerSec"] for r in recs])
        rates = [r["msgPerSec"] for r in recs]
        self.lo, self.hi = min(rates), max(rates)
        self.p50 = median([r["p50Us"] for r in recs])
        self.p99 = median([r["p99Us"] for r in recs])
        self.p999 = median([r["p999Us"] for r in recs])
        self.cpu = median([r["serverCpuUsPerMsg"] for r in recs])


def echo_cells(echo):
    cells = defaultdict(dict)
    for (pinned, size, conns, impl), recs in echo.items():
        cells[(pinned, size, conns)][impl] = EchoCell(recs)
    return cells


def contender_table(lines, title, rate_unit, cpu_unit, names, peers, row, before=(), after=()):
    """One cell's Markdown table: a row per contender (in the order of names) with its median rate,
    range, rounds, latency percentiles, server CPU and its rate's ratio to each peer; before and after
    are extra (header, format) columns around the latencies. Returns the contenders in table order."""
    head = (["Contender", f"{rate_unit} (median)", "range", "n"] + [h for h, _ in before]
            + ["p50 µs", "p99 µs", "p99.9 µs", f"server CPU {cpu_unit}"] + [h for h, _ in after]
            + [f"÷ {n}" for _, n in peers])
    lines += [f"### {title}", "", "| " + " | ".join(head) + " |", "|---|" + "---:|" * (len(head) - 1)]
    order = list(names)
    impls = sorted(row, key=lambda i: order.index(i) if i in order else 99)
    for impl in impls:
        c = row[impl]
        cols = ([names.get(impl, impl), fmt(c.rate), f"{fmt(c.lo)}–{fmt(c.hi)}", str(c.n)] + [f(c) for _, f in before]
                + [fmt(c.p50, 1), fmt(c.p99, 1), fmt(c.p999, 1), fmt(c.cpu, 2)] + [f(c) for _, f in after]
                + [ratio(c.rate, row[p].rate) if p in row else "–" for p, _ in peers])
        lines.append("| " + " | ".join(cols) + " |")
    return impls


def echo_section(echo, results, lines):
    if not echo:
        return
    cells = echo_cells(echo)
    lines += [
        "## Echo (ping-pong over loopback TCP)",
        "",
        "Each connection sends a message, waits for all of it to come back, and sends the next (closed",
        "loop). msg/s counts round trips of all connections; p50/p99/p99.9 are round-trip latencies",
        "from the load generator's HdrHistogram (closed loop: coordinated omission is not corrected);",
        "server CPU is the server JVM's user + system time over the measured window (/proc/PID/stat)",
        "divided by the messages. Medians over rounds; range = lowest–highest round. Ratio columns:",
        "this row's msg/s ÷ that peer's, in the same cell.",
        "",
    ]
    for key in sorted(cells, key=lambda k: (not k[0], k[1], k[2])):
        pinned, size, conns = key
        row = cells[key]
        size_label = f"{size // 1024} KiB" if size >= 1024 else f"{size} B"
        title = f"Echo {size_label}, {conns} connection{'s' if conns != 1 else ''}, {'pinned (server CPU 0, load CPU 1)' if pinned else 'unpinned'}"
        impls = contender_table(lines, title, "msg/s", "µs/msg", ECHO_NAMES, ECHO_PEERS, row)
        svg = svg_bars(os.path.join(results, f"echo-{size}b-{conns}c-{'pinned' if pinned else 'unpinned'}.svg"),
                       title, "msg/s", [(ECHO_NAMES.get(i, i).replace("`", ""), row[i].rate) for i in impls])
        lines += ["", f"![{title}]({svg})" if svg else "", ""]


def echo_targets(echo):
    """Rows for the targets table: echo 64 B x32 pinned, and 16 KiB x256."""
    rows = []
    cells = echo_cells(echo)
    for (pinned, size, conns), row in sorted(cells.items(), key=lambda kv: (not kv[0][0], kv[0][1], kv[0][2])):
        peer = row.get("netty-uring")
        if peer is None or not peer.rate:
            continue
        mode = "pinned" if pinned else "unpinned"
        for impl in ECHO_NAMES:
            if not impl.startswith("proactor") or impl not in row:
                continue
            c = row[impl]
            label = ECHO_NAMES[impl]
            if size == 64 and conns == 32 and pinned:
                r = c.rate / peer.rate
                rows.append(("Echo 64 B x32, pinned: >= 1.05x Netty io_uring msg/s", label,
                             f"{r:.2f}x ({fmt(c.rate)} against {fmt(peer.rate)} msg/s)", verdict(r, 1.05)))
                if c.cpu and peer.cpu:
                    q = c.cpu / peer.cpu
                    rows.append(("Echo 64 B x32, pinned: server CPU/msg <= 0.9x Netty io_uring's", label,
                                 f"{q:.2f}x ({fmt(c.cpu, 2)} against {fmt(peer.cpu, 2)} µs/msg)",
                                 "**met**" if q <= 0.9 else f"**not met** ({q / 0.9:.2f}x over)"))
                if c.p99 and peer.p99:
                    q = c.p99 / peer.p99
                    rows.append(("Echo 64 B x32, pinned: p99 no worse than Netty io_uring's", label,
                                 f"{q:.2f}x ({fmt(c.p99, 1)} against {fmt(peer.p99, 1)} µs)",
                                 "**met**" if q <= 1.0 else f"**not met** ({q:.2f}x worse)"))
            if size == 16384 and conns == 256:
                r = c.rate / peer.rate
                rows.append((f"Echo 16 KiB x256 ({mode}): >= 1.10x Netty io_uring msg/s", label,
                             f"{r:.2f}x ({fmt(c.rate)} against {fmt(peer.rate)} msg/s)", verdict(r, 1.10)))
        jdk, ours = row.get("nio2"), row.get("nio2-proactor")
        if size == 64 and conns == 32 and jdk and ours and jdk.rate:
            # Issue 12: the same NIO.2 program on the JDK's provider and on proactor-nio2.
            r = ours.rate / jdk.rate
            rows.append((f"Echo 64 B x32 ({mode}), NIO.2 program: >= 1.5x on proactor-nio2 than on the JDK's provider",
                         ECHO_NAMES["nio2-proactor"],
                         f"{r:.2f}x ({fmt(ours.rate)} against {fmt(jdk.rate)} msg/s)", verdict(r, 1.5)))
    return rows


IDLE_PEERS = [("netty-uring", "Netty io_uring"), ("netty-epoll", "Netty epoll")]


def load_idle(results):
    """{impl: [record per round]} from idle-*.jsonl."""
    return load_jsonl(results, "idle-*.jsonl", lambda r: r["impl"])


class IdleCell:
    """Medians over the rounds of one contender's idle-connection memory."""

    def __init__(self, recs):
        self.n = len(recs)
        per = [r["bytesPerConnection"] for r in recs]
        self.bytes = median(per)
        self.lo, self.hi = min(per), max(per)
        self.connections = median([r["connections"] for r in recs])
        self.rss_kb = median([r["rssAfterKb"] - r["rssBeforeKb"] for r in recs])
        self.heap_kb = median([r["heapAfterKb"] - r["heapBeforeKb"] for r in recs])


def idle_section(idle, results, lines):
    if not idle:
        return
    row = {impl: IdleCell(recs) for impl, recs in idle.items()}
    conns = sorted({int(c.connections) for c in row.values()})
    lines += [
        "## Idle connections (memory per connection)",
        "",
        "Each server JVM (-Xms512m -Xmx512m -XX:+AlwaysPreTouch, so the heap is resident from the start) is",
        f"warmed up with 1 s of echo load, measured, then given {', '.join(f'{c:,}' for c in conns)} connections,",
        "each echoing one byte before it goes idle, and measured again. Bytes per connection = (growth of",
        "VmRSS + growth of the heap live after a full GC, `jcmd GC.run` then `GC.heap_info`) / connections.",
        "Kernel memory (socket buffers, io_uring requests) is not the process's and is not counted. Medians",
        "over rounds; range = lowest–highest round; lower is better. Ratio columns: this row's bytes ÷ that",
        "peer's.",
        "",
        "### Memory per idle connection",
        "",
        "| Contender | bytes/connection (median) | range | n | resident growth KiB | live heap growth KiB | "
        + " | ".join(f"÷ {n}" for _, n in IDLE_PEERS) + " |",
        "|---|" + "---:|" * (5 + len(IDLE_PEERS)),
    ]
    order = list(ECHO_NAMES)
    impls = sorted(row, key=lambda i: order.index(i) if i in order else 99)
    for impl in impls:
        c = row[impl]
        cols = ([ECHO_NAMES.get(impl, impl), fmt(c.bytes), f"{fmt(c.lo)}–{fmt(c.hi)}", str(c.n), fmt(c.rss_kb),
                 fmt(c.heap_kb)] + [ratio(c.bytes, row[p].bytes) if p in row else "–" for p, _ in IDLE_PEERS])
        lines.append("| " + " | ".join(cols) + " |")
    svg = svg_bars(os.path.join(results, "idle.svg"), "Memory per idle connection", "bytes, lower is better",
                   [(ECHO_NAMES.get(i, i).replace("`", ""), row[i].bytes) for i in impls])
    lines += ["", f"![Memory per idle connection]({svg})" if svg else "", ""]


def idle_targets(idle):
    """Rows for the targets table: every Proactor contender's bytes per idle connection against Netty io_uring's."""
    rows = []
    recs = idle.get("netty-uring")
    peer = IdleCell(recs) if recs else None
    if peer is None or not peer.bytes:
        return rows
    for impl in ECHO_NAMES:
        if not impl.startswith("proactor") or impl not in idle:
            continue
        c = IdleCell(idle[impl])
        r = c.bytes / peer.bytes
        rows.append(("Idle connections: memory per idle connection <= 0.5x Netty io_uring's", ECHO_NAMES[impl],
                     f"{r:.2f}x ({fmt(c.bytes)} against {fmt(peer.bytes)} B/connection)", at_most(r, 0.5)))
    return rows


HTTP_NAMES = {
    "proactor-serve": "Proactor `proactor serve` (static files, inline handlers)",
    "proactor-fixed": "Proactor fixed response (ProactorHttpServer, worker handlers)",
    "proactor-fixed-inline": "Proactor fixed response (ProactorHttpServer, inline handlers)",
    "nginx": "nginx (1 worker, sendfile; `/hello` the 13-byte file)",
    "nginx-auto": "nginx (`worker_processes auto`, sendfile; `/hello` the 13-byte file)",
    "nginx-fixed": "nginx fixed response (`return 200`, 1 worker)",
    "h2o": "h2o (1 thread)",
    "netty-uring": "Netty 4.2.18 io_uring (1 event loop)",
    "netty-uring-auto": "Netty 4.2.18 io_uring (an event loop per CPU)",
    "netty-epoll": "Netty 4.2.18 epoll",
    "nio2": "NIO.2 (AsynchronousServerSocketChannel)",
    "nio2-proactor": "NIO.2 on proactor-nio2 (the same server, -D switch)",
    "vthreads": "JDK HttpServer, virtual threads",
}
HTTP_PEERS = [("nginx", "nginx"), ("nginx-auto", "nginx auto"), ("nginx-fixed", "nginx fixed"), ("h2o", "h2o"),
              ("netty-uring", "Netty io_uring"), ("netty-uring-auto", "Netty io_uring auto")]
HTTP_WORKLOADS = {"hello": "13 B `/hello` (a static file, or a fixed response: see the contender)", "4k": "static file 4 KiB", "1m": "static file 1 MiB"}


def load_http(results):
    """{(pinned, workload, impl): [record per round]} from http-*.jsonl."""
    return load_jsonl(results, "http-*.jsonl", lambda r: (r["pinned"], r["workload"], r["impl"]))


class HttpCell:
    """Medians over the rounds of one contender in one HTTP cell."""

    def __init__(self, recs):
        self.n = len(recs)
        rates = [r["reqPerSec"] for r in recs]
        self.rate = median(rates)
        self.lo, self.hi = min(rates), max(rates)
        self.mb = median([r["mbPerSec"] for r in recs])
        self.p50 = median([r["p50Us"] for r in recs])
        self.p99 = median([r["p99Us"] for r in recs])
        self.p999 = median([r["p999Us"] for r in recs])
        self.cpu = median([r["serverCpuUsPerReq"] for r in recs])
        jit = [r["serverJitMs"] for r in recs if "serverJitMs" in r]
        self.jit = median(jit) if jit else None
        self.errors = sum(sum(r.get("errors", {}).values()) for r in recs)


def http_cells(http):
    cells = defaultdict(dict)
    for (pinned, workload, impl), recs in http.items():
        cells[(pinned, workload)][impl] = HttpCell(recs)
    return cells


def http_key(k):
    order = list(HTTP_WORKLOADS)
    return (not k[0], order.index(k[1]) if k[1] in order else 99)


def http_section(http, results, lines):
    if not http:
        return
    cells = http_cells(http)
    lines += [
        "## HTTP (wrk, 64 keep-alive connections)",
        "",
        "wrk closed loop, 64 connections, keep-alive; pinned: server on CPU 0, `wrk -t1` on CPU 1;",
        "unpinned: `wrk -t2`, both anywhere. p50/p99/p99.9 are wrk's latency percentiles, which wrk 4",
        "corrects for coordinated omission (`stats_correct`: a response that took L adds samples at L - e,",
        "L - 2e, ... for e the mean interval per connection), so one slow response on each connection",
        "weighs like hundreds. MB/s is what wrk read (heads included, and heads differ",
        "between servers). Server CPU is user + system time of the server process and its descendants",
        "(nginx: master + worker) over wrk's run, divided by the requests; JIT ms is the CPU its JIT compiler",
        "threads took in that window (a JVM still compiling there spends the server's CPU on it, which shows",
        "in the p99). `/hello` is a 13-byte",
        "**static file** for `proactor serve`, nginx and h2o (served from their open-file caches) but a fixed",
        "response for nginx-fixed (`return 200`), Netty, NIO.2, the JDK server and ProactorHttpServer. Medians over rounds;",
        "range = lowest–highest round. Ratio columns: this row's req/s ÷ that peer's, same cell.",
        "",
    ]
    given = defaultdict(set)
    for (pinned, _, impl), recs in http.items():
        for r in recs:
            if r.get("given"):
                given[(impl, pinned)].add(r["given"])
    if given:
        lines += ["What each server was given (processes, threads, dispatchers), as it ran:", ""]
        for (impl, pinned) in sorted(given, key=lambda k: (k[0], not k[1])):
            lines.append(f"- `{impl}`, {'pinned' if pinned else 'unpinned'}: {'; '.join(sorted(given[(impl, pinned)]))}")
        lines.append("")
    for key in sorted(cells, key=http_key):
        pinned, workload = key
        row = cells[key]
        title = (f"HTTP {HTTP_WORKLOADS.get(workload, workload)}, "
                 f"{'pinned (server CPU 0, wrk CPU 1)' if pinned else 'unpinned'}")
        impls = contender_table(lines, title, "req/s", "µs/req", HTTP_NAMES, HTTP_PEERS, row,
                                before=[("MB/s", lambda c: fmt(c.mb, 1))],
                                after=[("JIT ms", lambda c: "–" if c.jit is None else fmt(c.jit)),
                                       ("errors", lambda c: str(c.errors))])
        svg = svg_bars(os.path.join(results, f"http-{workload}-{'pinned' if pinned else 'unpinned'}.svg"),
                       title, "req/s", [(HTTP_NAMES.get(i, i).replace("`", ""), row[i].rate) for i in impls])
        lines += ["", f"![{title}]({svg})" if svg else "", ""]


def at_most(measured, target):
    """Verdict for a lower-is-better ratio (CPU, latency) against its ceiling."""
    if measured is None:
        return "–"
    if measured <= target:
        return "**met**"
    return f"**not met** ({measured / target:.2f}x over)"


# The HTTP targets of the method, judged in the pinned cells: (workload, target text, peer, metric,
# bound, higher is better, the contenders judged by it: a name prefix). Metric: an HttpCell
# attribute, with its unit and digits. The 13 B cell's fixed-response targets judge the fixed
# contenders against nginx's fixed response; its static-file target judges proactor serve against
# nginx serving the same file.
HTTP_TARGETS = [
    ("hello", "HTTP small fixed response, pinned: req/s >= 1.0x nginx's fixed response", "nginx-fixed", "rate", 1.0,
     True, "proactor-fixed"),
    ("hello", "HTTP small fixed response, pinned: p99 <= 1.2x nginx's fixed response", "nginx-fixed", "p99", 1.2,
     False, "proactor-fixed"),
    ("hello", "HTTP small fixed response, pinned: server CPU/request <= 0.85x Netty epoll's", "netty-epoll", "cpu",
     0.85, False, "proactor-fixed"),
    ("hello", "HTTP 13 B static file, pinned: req/s >= 0.9x nginx serving the same file (issue 11)", "nginx", "rate",
     0.9, True, "proactor-serve"),
    ("4k", "HTTP static 4 KiB, pinned: req/s >= 1.0x nginx", "nginx", "rate", 1.0, True, "proactor"),
    ("4k", "HTTP static 4 KiB, pinned: p99 <= 1.2x nginx's (issue 11)", "nginx", "p99", 1.2, False, "proactor"),
    ("4k", "HTTP static 4 KiB, pinned: server CPU/request <= nginx's", "nginx", "cpu", 1.0, False, "proactor"),
    ("1m", "HTTP static 1 MiB, pinned: req/s >= 1.0x Netty io_uring", "netty-uring", "rate", 1.0, True, "proactor"),
]
HTTP_METRIC_UNITS = {"rate": ("req/s", 0), "p99": ("µs", 1), "cpu": ("µs/req", 2)}


def http_targets(http):
    """Rows for the targets table: every Proactor contender against HTTP_TARGETS."""
    rows = []
    cells = http_cells(http)
    # --serve-variant contenders (proactor-serve-NAME: another build or other JVM options) are judged too.
    variants = sorted({impl for (_, _, impl) in http if impl.startswith("proactor-serve-")})
    for impl in list(HTTP_NAMES) + variants:
        if not impl.startswith("proactor"):
            continue
        for workload, text, peer_name, metric, bound, higher, judged in HTTP_TARGETS:
            if not impl.startswith(judged):
                continue
            row = cells.get((True, workload), {})
            c, peer = row.get(impl), row.get(peer_name)
            if c is None or peer is None or not getattr(c, metric) or not getattr(peer, metric):
                continue
            r = getattr(c, metric) / getattr(peer, metric)
            unit, digits = HTTP_METRIC_UNITS[metric]
            rows.append((text, HTTP_NAMES.get(impl, f"`{impl}`"),
                         f"{r:.2f}x ({fmt(getattr(c, metric), digits)} against {fmt(getattr(peer, metric), digits)} {unit})",
                         verdict(r, bound) if higher else at_most(r, bound)))
    return rows


HASH_NAMES = {
    "proactor-hash": "Proactor `proactor hash` (as shipped: bin/proactor)",
    "sha256sum": "`sha256sum` (one process)",
    "xargs-p2": "`xargs -P2 -n 4 sha256sum`",
}
HASH_PEERS = [("sha256sum", "sha256sum"), ("xargs-p2", "xargs -P2")]


def load_hash(results):
    """{impl: [record per run]} from hash-*.jsonl."""
    return load_jsonl(results, "hash-*.jsonl", lambda r: r["impl"])


class HashCell:
    """Medians over every run of one contender; the range is the lowest and highest per-round median."""

    def __init__(self, recs):
        self.n = len(recs)
        self.wall = median([r["wallS"] for r in recs])
        self.cpu = median([r["userS"] + r["sysS"] for r in recs])
        by_round = defaultdict(list)
        for r in recs:
            by_round[r["round"]].append(r["wallS"])
        meds = [median(v) for v in by_round.values()]
        self.lo, self.hi = min(meds), max(meds)
        self.bytes = recs[0]["bytes"]
        self.files = recs[0]["files"]
        self.mib_s = self.bytes / 1048576 / self.wall if self.wall else None


def hash_section(hashes, results, lines):
    if not hashes:
        return
    row = {impl: HashCell(recs) for impl, recs in hashes.items()}
    any_cell = next(iter(row.values()))
    lines += [
        "## Hash a tree (CPU work overlapping I/O)",
        "",
        f"Every regular file of a tree of {any_cell.files:,} files and {any_cell.bytes / 1048576:,.0f} MiB, its pages",
        "cached; wall and CPU (user + system) time of the whole command, JVM start-up included for",
        "`proactor hash`. Unpinned: every contender may use both CPUs. Every run's output is checked",
        "against sha256sum's. Medians over all runs; range = lowest–highest round median. Ratio columns:",
        "that peer's wall time ÷ this row's (higher is better).",
        "",
        "| Contender | wall s (median) | range | n | CPU s | MiB/s | " + " | ".join(f"{n} ÷ this" for _, n in HASH_PEERS) + " |",
        "|---|" + "---:|" * (5 + len(HASH_PEERS)),
    ]
    impls = sorted(row, key=lambda i: list(HASH_NAMES).index(i) if i in HASH_NAMES else 99)
    for impl in impls:
        c = row[impl]
        cols = ([HASH_NAMES.get(impl, impl), fmt(c.wall, 3), f"{fmt(c.lo, 3)}–{fmt(c.hi, 3)}", str(c.n), fmt(c.cpu, 3),
                 fmt(c.mib_s)] + [ratio(row[p].wall, c.wall) if p in row else "–" for p, _ in HASH_PEERS])
        lines.append("| " + " | ".join(cols) + " |")
    svg = svg_bars(os.path.join(results, "hash.svg"), "Hash a tree", "MiB/s, higher is better",
                   [(HASH_NAMES.get(i, i).replace("`", ""), row[i].mib_s) for i in impls])
    lines += ["", f"![Hash a tree]({svg})" if svg else "", ""]


def hash_targets(hashes):
    """Rows for the targets table: proactor hash's wall time against sha256sum's and xargs -P2's."""
    rows = []
    if "proactor-hash" not in hashes:
        return rows
    c = HashCell(hashes["proactor-hash"])
    for peer, text, bound in (("sha256sum", "proactor hash, warm tree: >= 1.8x sha256sum", 1.8),
                              ("xargs-p2", "proactor hash, warm tree: >= 1.0x xargs -P2 sha256sum", 1.0)):
        if peer in hashes and c.wall:
            p = HashCell(hashes[peer])
            r = p.wall / c.wall
            rows.append((text, HASH_NAMES["proactor-hash"],
                         f"{r:.2f}x ({fmt(c.wall, 3)} against {fmt(p.wall, 3)} s)", verdict(r, bound)))
    return rows


def verdict(measured, target):
    """'met' or 'not met' with the factor still missing; measured and target are ratios (higher is better)."""
    if measured is None:
        return "–"
    if measured >= target:
        return "**met**"
    return f"**not met** ({target / measured:.2f}x short)"


def targets_section(jmh, fio, lines, echo=None, http=None, idle=None, hashes=None, fio_direct=None):
    """The targets of the method document that this suite measures, with the ratio of this run."""
    rows = []
    nop = {(m, p): s for (c, m, p), s in jmh.items() if c == "NopRoundTrip"}
    raw_single = nop.get(("rawSingle", ()))
    raw_batch = nop.get(("rawBatch32", ()))
    for (m, p), s in sorted(nop.items(), key=lambda kv: (NOP_ORDER.index(kv[0][0]) if kv[0][0] in NOP_ORDER else 99, kv[0][1])):
        if m.startswith("raw") or m == "threadHandoff" or not s.median:
            continue
        label = m + (f" ({params_label(p)})" if p else "")
        if nop_batched(m, p) and raw_batch is not None:
            r = raw_batch.median / s.median
            rows.append(("Nop batched by 32: >= 0.80x the raw FFM loop (rawBatch32)", label,
                         f"{r:.2f}x ({fmt(s.median, 1)} against {fmt(raw_batch.median, 1)} ns/op)", verdict(r, 0.80)))
        elif m == "proactorPipelined" and raw_single is not None:
            r = raw_single.median / s.median
            rows.append(("Nop one per kernel call: no figure set; ratio to rawSingle", label,
                         f"{r:.2f}x ({fmt(s.median, 1)} against {fmt(raw_single.median, 1)} ns/op)", "(reference)"))
    for (m, p), s in sorted(nop.items()):
        if m == "proactorPipelined" and s.alloc_median is not None:
            b = s.alloc_median
            rows.append(("0 B/op on the completion-handler path", m + f" ({params_label(p)})",
                         f"{b:.1f} B/op", "**met**" if b < 1 else f"**not met**: {b:.1f} B/op"))
    reads = {(m, p): s for (c, m, p), s in jmh.items() if c == "RandomRead4k"}
    for depth in (1, 32):
        fio_s = fio.get(("io_uring", depth, 1))
        afc = next((s for (m, p), s in reads.items() if m == "asyncFileChannel" and dict(p).get("depth") == str(depth)), None)
        for (m, p), s in sorted(reads.items()):
            pd = dict(p)
            if m != "proactor" or pd.get("depth") != str(depth) or not s.median:
                continue
            label = "Proactor (" + params_label(p, skip=("depth",)) + ")"
            if fio_s is not None and fio_s.median:
                r = s.median / fio_s.median
                rows.append((f"4 KiB random read, page cache, QD{depth}: >= 0.90x fio io_uring", label,
                             f"{r:.2f}x ({fmt(s.median)} against {fmt(fio_s.median)} IOPS)", verdict(r, 0.90)))
            if afc is not None and afc.median:
                r = s.median / afc.median
                rows.append((f"4 KiB random read, page cache, QD{depth}: >= 3x AsynchronousFileChannel", label,
                             f"{r:.2f}x ({fmt(s.median)} against {fmt(afc.median)} IOPS)", verdict(r, 3.0)))
    fio_d = (fio_direct or {}).get(("io_uring", 32, 1))
    for (m, p), s in sorted(reads.items()):
        if m == "proactorDirect" and dict(p).get("depth") == "32" and s.median and fio_d is not None and fio_d.median:
            r = s.median / fio_d.median
            rows.append(("4 KiB random read, O_DIRECT, QD32: >= 0.95x fio io_uring (--direct=1)",
                         "Proactor O_DIRECT (" + params_label(p, skip=("depth",)) + ")",
                         f"{r:.2f}x ({fmt(s.median)} against {fmt(fio_d.median)} IOPS)", verdict(r, 0.95)))
    rows += echo_targets(echo or {})
    rows += idle_targets(idle or {})
    rows += http_targets(http or {})
    rows += hash_targets(hashes or {})
    if not rows:
        return
    lines += [
        "## Against the targets",
        "",
        "Targets from the project's method (a ratio measured in one run); medians of this run.",
        "",
        "| Target | Contender | Measured | Verdict |",
        "|---|---|---|---|",
    ]
    lines += [f"| {t} | {c} | {m} | {v} |" for t, c, m, v in rows]
    lines.append("")


def main():
    results = sys.argv[1] if len(sys.argv) > 1 else "bench-results"
    jmh = load_jmh(results)
    fio = load_fio(results)
    fio_direct = load_fio(results, direct=True)
    echo = load_echo(results)
    http = load_http(results)
    idle = load_idle(results)
    hashes = load_hash(results)
    lines = ["# Proactor benchmark results", ""]
    for name, heading in (("machine.txt", "Machine"), ("command.txt", "Command"), ("load.txt", "Load average at each step")):
        p = os.path.join(results, name)
        if os.path.exists(p):
            with open(p) as f:
                lines += [f"**{heading}**", "", "```", f.read().rstrip(), "```", ""]
    if not jmh and not fio and not fio_direct and not echo and not http and not idle and not hashes:
        lines.append("No results found.")
    nop_section(jmh, results, lines)
    read_section(jmh, fio, results, lines)
    direct_read_section(jmh, fio_direct, results, lines)
    echo_section(echo, results, lines)
    idle_section(idle, results, lines)
    http_section(http, results, lines)
    hash_section(hashes, results, lines)
    targets_section(jmh, fio, lines, echo, http, idle, hashes, fio_direct)
    out = os.path.join(results, "results.md")
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"report: wrote {out}")


if __name__ == "__main__":
    main()
