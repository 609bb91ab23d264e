"""Benchmark of a whole match round: scoring, solving, memory, and overhead over bare scipy.

Usage: ``python benchmarks/matching_bench.py [1000 5000 10000] [--seed N]``. Each size runs
in its own process so the peak resident size (ru_maxrss) is that round's alone.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from generate_round import feasible_fraction, generate  # noqa: E402
from scipy.sparse.csgraph import min_weight_full_bipartite_matching  # noqa: E402

from mentor_match.matching import solve_round  # noqa: E402
from mentor_match.matching.solver import prepare  # noqa: E402


def measure(n_mentees: int, seed: int) -> dict:
    data = generate(n_mentees, seed)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    started = time.perf_counter()
    result = solve_round(data)
    total = time.perf_counter() - started
    stats = result.stats
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    # Bare scipy on the very same sparse cost matrix.
    _, _, problem, _ = prepare(data)
    graph = problem.sparse_graph()
    started = time.perf_counter()
    min_weight_full_bipartite_matching(graph)
    bare = time.perf_counter() - started
    del graph, problem

    tracemalloc.start()
    solve_round(data)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    return {
        "mentees": n_mentees,
        "mentors": len(data.mentors),
        "feasible_fraction": feasible_fraction(data),
        "score_s": stats["score_seconds"],
        "solve_s": stats["solve_seconds"],
        "round_s": total,
        "bare_scipy_s": bare,
        "ratio": stats["solve_seconds"] / bare if bare else float("nan"),
        "solver": stats["solver"],
        "matched": stats["matched"],
        "max_matchable": stats["max_matchable"],
        "greedy_matched": stats["greedy_matched"],
        "total_score": stats["total_score"],
        "greedy_total_score": stats["greedy_total_score"],
        "traced_peak_mb": traced_peak / 2**20,
        "rss_before_mb": rss_before,
        "rss_peak_mb": rss_after,
    }


def show(r: dict) -> None:
    print(
        f"{r['mentees']:>6} mentees / {r['mentors']} mentors, feasible {r['feasible_fraction']:.3f}"
        f" | score {r['score_s']:.2f}s  solve {r['solve_s']:.2f}s ({r['solver']})"
        f"  whole round {r['round_s']:.2f}s"
        f" | bare scipy {r['bare_scipy_s']:.2f}s, ratio {r['ratio']:.2f}"
        f" | peak traced {r['traced_peak_mb']:.0f} MB, max RSS {r['rss_peak_mb']:.0f} MB"
        f" (after generating {r['rss_before_mb']:.0f} MB)"
        f" | matched {r['matched']}/{r['max_matchable']} max"
        f" (greedy {r['greedy_matched']}), total {r['total_score']:.1f}"
        f" vs greedy {r['greedy_total_score']:.1f}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", type=int, nargs="*", default=[1000, 5000, 10000])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--single", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.single:
        print(json.dumps(measure(args.sizes[0], args.seed)))
        return
    for n in args.sizes:
        out = subprocess.run(
            [sys.executable, __file__, str(n), "--seed", str(args.seed), "--single"],
            check=True,
            capture_output=True,
            text=True,
        )
        show(json.loads(out.stdout.strip().splitlines()[-1]))


if __name__ == "__main__":
    main()
