"""Benchmark of rounds at national scale: candidates with a certificate against the full solve.

Usage: ``python benchmarks/scale_bench.py [1000 3000 10000 30000 100000] [--seed N]
[--compare-up-to 30000] [--k 16] [--chart docs/scale-growth.svg]``.

Each size and each way of solving runs in a fresh process, so the peak resident size
(``ru_maxrss``) is that round's alone; the CPU seconds of the solving process are printed
beside the wall-clock time (on a shared machine they are the steadier figure). Per size it
prints the score and solve time, the peak memory, the certificate (passes, pairs examined,
candidates kept) and, where the full graph fits (up to ``--compare-up-to`` mentees), the full
solve's time, a bare scipy solve of the full graph, and whether both answers match the same
number of mentees at the same total score. The load average is printed with every figure.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from generate_round import generate  # noqa: E402

from mentor_match.matching import solve_round  # noqa: E402
from mentor_match.matching.certified import DEFAULT_K  # noqa: E402

SIZES = [1000, 3000, 10000, 30000, 100000]


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def measure(n_mentees: int, seed: int, method: str, k: int) -> dict:
    data = generate(n_mentees, seed)
    rss_before = _rss_mb()
    load_before = _load()
    started = time.perf_counter()
    cpu_started = time.process_time()
    result = solve_round(data, method=method, k=k)
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    stats = result.stats
    out = {
        "mentees": n_mentees,
        "mentors": len(data.mentors),
        "method": method,
        "solver": stats["solver"],
        "seconds": seconds,
        "cpu_s": cpu_seconds,
        "score_s": stats["score_seconds"],
        "solve_s": stats["solve_seconds"],
        "matched": stats["matched"],
        "max_matchable": stats["max_matchable"],
        "total_score": stats["total_score"],
        "feasible_pairs": stats["feasible_pairs"],
        "optimality": stats.get("optimality"),
        "certificate": stats.get("certificate"),
        "rss_before_mb": rss_before,
        "rss_peak_mb": _rss_mb(),
        "load": f"{load_before} -> {_load()}",
    }
    if method == "full":
        from scipy.sparse.csgraph import min_weight_full_bipartite_matching

        from mentor_match.matching.solver import prepare

        _, _, problem, _ = prepare(data)
        graph = problem.sparse_graph()
        del problem
        started = time.perf_counter()
        min_weight_full_bipartite_matching(graph)
        out["bare_scipy_s"] = time.perf_counter() - started
    return out


def run(n: int, seed: int, method: str, k: int) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, str(n), "--seed", str(seed), "--k", str(k)]
        + ["--single", method],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        sys.exit(f"{n} mentees, {method}: failed\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def show(sparse: dict, full: dict | None) -> None:
    c = sparse["certificate"] or {}
    print(
        f"{sparse['mentees']:>7} mentees / {sparse['mentors']:>6} mentors:"
        f" candidates {sparse['seconds']:.1f}s ({sparse['cpu_s']:.1f}s of CPU;"
        f" score {sparse['score_s']:.1f}s,"
        f" solve + proof {sparse['solve_s']:.1f}s), peak {sparse['rss_peak_mb']:.0f} MB"
        f" ({sparse['rss_before_mb']:.0f} MB before solving);"
        f" {sparse['optimality']}: {c.get('passes')} passes,"
        f" {c.get('pairs_examined')} pairs examined, {c.get('candidates_kept')} kept"
        f" of {sparse['feasible_pairs']} feasible (k={c.get('k')}); load {sparse['load']}",
        flush=True,
    )
    if full is not None:
        same = full["matched"] == sparse["matched"] and abs(
            full["total_score"] - sparse["total_score"]
        ) <= 1e-6 * max(1, full["matched"])
        print(
            f"{'':>7}   full solve {full['seconds']:.1f}s (bare scipy {full['bare_scipy_s']:.1f}s),"
            f" peak {full['rss_peak_mb']:.0f} MB; candidates / bare scipy"
            f" {sparse['seconds'] / full['bare_scipy_s']:.2f};"
            f" matched {sparse['matched']} vs {full['matched']},"
            f" total score {sparse['total_score']:.4f} vs {full['total_score']:.4f}:"
            f" {'same optimum' if same else 'DIFFERENT'}; load {full['load']}",
            flush=True,
        )


def chart(rows: list[dict], fulls: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax_time, ax_mem) = plt.subplots(1, 2, figsize=(9, 3.6))
    for series, label, style in ((rows, "candidates + certificate", "o-"), (fulls, "full", "s--")):
        if not series:
            continue
        x = [r["mentees"] for r in series]
        ax_time.plot(x, [r["seconds"] for r in series], style, label=label)
        ax_mem.plot(x, [r["rss_peak_mb"] / 1024 for r in series], style, label=label)
    for ax, title in ((ax_time, "score + solve time (s)"), (ax_mem, "peak memory (GB)")):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("mentees (mentors = mentees / 2.5)")
        ax.set_title(title)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend()
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, metadata={"Date": None} if path.suffix == ".svg" else None)
    print(f"chart written to {path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", type=int, nargs="*", default=SIZES)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--k", type=int, default=DEFAULT_K, help="candidates per mentee")
    parser.add_argument("--compare-up-to", type=int, default=30000)
    parser.add_argument("--chart", type=Path, default=None, help="write a log-log chart here")
    parser.add_argument("--single", choices=("full", "candidates"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.single:
        print(json.dumps(measure(args.sizes[0], args.seed, args.single, args.k)))
        return
    rows: list[dict] = []
    fulls: list[dict] = []
    for n in args.sizes:
        sparse = run(n, args.seed, "candidates", args.k)
        full = run(n, args.seed, "full", args.k) if n <= args.compare_up_to else None
        rows.append(sparse)
        if full is not None:
            fulls.append(full)
        show(sparse, full)
    if args.chart is not None:
        chart(rows, fulls, args.chart)


if __name__ == "__main__":
    main()
