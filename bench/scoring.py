"""Scoring for bench/fanout.py: latency percentiles, losses, memory per stream, the verdict."""

from __future__ import annotations

from dataclasses import dataclass

# (claim id, seq) -> (change started, change committed) as wall-clock seconds
Sent = dict[tuple[int, int], tuple[float, float]]


@dataclass
class Result:
    kind: str
    clients: int
    connected: int
    connect_s: float
    deliveries: int
    lost: int
    duplicates: int
    p50_ms: float
    p99_ms: float
    max_ms: float
    p99_start_ms: float
    kb_per_stream: float
    burst_cpu_pct: float
    connect_cpu_s: float
    rate: float

    @property
    def refused(self) -> int:
        return self.clients - self.connected


@dataclass
class Load:
    """What the driver measured around the clients' reports."""

    clients: int
    connected: int
    connect_s: float
    rss_before_kb: int
    rss_connected_kb: int
    connect_cpu_s: float
    burst_cpu_s: float
    burst_s: float
    changes_per_s: float


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


def score(kind: str, sent: Sent, reports: list[dict], load: Load) -> Result:
    """Every connection must receive every event of its claim exactly once."""
    by_claim: dict[int, set[int]] = {}
    for claim_id, seq in sent:
        by_claim.setdefault(claim_id, set()).add(seq)
    latencies, from_start, lost, dups = [], [], 0, 0
    for report in reports:
        for claim_id, receipts in report["conns"]:
            want = by_claim.get(claim_id, set())
            got = [seq for seq, _t in receipts if seq in want]
            lost += len(want - set(got))
            dups += len(got) - len(set(got))
            for seq, t in receipts:
                if seq in want:
                    started, committed = sent[(claim_id, seq)]
                    latencies.append((t - committed) * 1000)
                    from_start.append((t - started) * 1000)
    return Result(
        kind=kind, clients=load.clients, connected=load.connected, connect_s=load.connect_s,
        deliveries=len(latencies), lost=lost, duplicates=dups,
        p50_ms=percentile(latencies, 50), p99_ms=percentile(latencies, 99),
        max_ms=max(latencies, default=float("nan")), p99_start_ms=percentile(from_start, 99),
        kb_per_stream=(load.rss_connected_kb - load.rss_before_kb) / max(load.connected, 1),
        burst_cpu_pct=100 * load.burst_cpu_s / load.burst_s, connect_cpu_s=load.connect_cpu_s,
        rate=load.changes_per_s)


def slowest(sent: Sent, reports: list[dict], over_ms: float) -> list[str]:
    """Events whose last delivery took longer than ``over_ms``, in commit order."""
    arrivals: dict[tuple[int, int], list[float]] = {}
    for report in reports:
        for claim_id, receipts in report["conns"]:
            for seq, t in receipts:
                if (claim_id, seq) in sent:
                    arrivals.setdefault((claim_id, seq), []).append(t)
    lines = []
    for key, times in sorted(arrivals.items(), key=lambda kv: sent[kv[0]][1]):
        committed = sent[key][1]
        if (max(times) - committed) * 1000 > over_ms:
            lines.append(f"  claim {key[0]} seq {key[1]} at {committed:.3f}: first "
                         f"{(min(times) - committed) * 1000:.0f} ms, last "
                         f"{(max(times) - committed) * 1000:.0f} ms")
    return lines


HEADER = (f"{'server':9} {'clients':>7} {'refused':>7} {'open s':>6} {'deliv':>7} {'lost':>5} "
          f"{'dup':>4} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7} {'p99 e2e':>7} {'KB/str':>6} "
          f"{'CPU%':>5} {'chg/s':>5} {'open CPU s':>10}")


def row(r: Result) -> str:
    return (f"{r.kind:9} {r.clients:>7} {r.refused:>7} {r.connect_s:>6.1f} {r.deliveries:>7} "
            f"{r.lost:>5} {r.duplicates:>4} {r.p50_ms:>7.1f} {r.p99_ms:>7.1f} {r.max_ms:>7.1f} "
            f"{r.p99_start_ms:>7.1f} {r.kb_per_stream:>6.1f} {r.burst_cpu_pct:>5.0f} "
            f"{r.rate:>5.0f} {r.connect_cpu_s:>10.1f}")


def verdicts(results: list[Result]) -> list[str]:
    lines = []
    for n in sorted({r.clients for r in results}):
        pair = {r.kind: r for r in results if r.clients == n}
        if len(pair) < 2:
            continue
        raw, ours = pair["raw"], pair["claimory"]
        ratio = ours.p99_ms / raw.p99_ms
        ok = ours.refused == 0 and ours.lost == 0 and ours.kb_per_stream < 20 and ratio <= 1.5
        lines.append(
            f"N={n}: p99 {ours.p99_ms:.0f} ms vs ceiling {raw.p99_ms:.0f} ms ({ratio:.2f}x), "
            f"{ours.kb_per_stream:.1f} KB/stream, lost {ours.lost}, refused {ours.refused} -> "
            f"{'meets' if ok else 'MISSES'} the target (<=1.5x p99, <20 KB, 0 lost)")
        # A reconnect storm after a deploy: what accepting N streams costs the server.
        cpu_ratio = ours.connect_cpu_s / max(raw.connect_cpu_s, 0.01)
        lines.append(
            f"N={n}: opening the streams cost {ours.connect_cpu_s:.1f} s of server CPU vs "
            f"{raw.connect_cpu_s:.1f} s for the bare stream ({cpu_ratio:.2f}x) -> "
            f"{'meets' if cpu_ratio <= 2 else 'MISSES'} the target (<=2x)")
    return lines
