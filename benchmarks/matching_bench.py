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


def measure(n_mentees: int, seed: int, repeat: int) -> dict:
    data = generate(n_mentees, seed)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    # First run in a fresh process: includes first-touch page faults, as a real round does.
    started = time.perf_counter()
    result = solve_round(data)
    total = time.perf_counter() - started
    stats = result.stats
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    # Warm best-of-N, ours and bare scipy on the very same sparse cost matrix.
    warm_score = warm_solve = warm_total = bare = float("inf")
    _, _, problem, _ = prepare(data)
    graph = problem.sparse_graph()
    del problem
    for _ in range(repeat):
        started = time.perf_counter()
        again = solve_round(data).stats
        warm_total = min(warm_total, time.perf_counter() - started)
        warm_score = min(warm_score, again["score_seconds"])
        warm_solve = min(warm_solve, again["solve_seconds"])
        started = time.perf_counter()
        min_weight_full_bipartite_matching(graph)
        bare = min(bare, time.perf_counter() - started)
    del graph

    tracemalloc.start()
    solve_round(data)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    return {
        "mentees": n_mentees,
        "mentors": len(data.mentors),
        "feasible_fraction": feasible_fraction(data),
        "feasible_pairs": stats["feasible_pairs"],
        "score_s": stats["score_seconds"],
        "solve_s": stats["solve_seconds"],
        "round_s": total,
        "warm_score_s": warm_score,
        "warm_solve_s": warm_solve,
        "warm_round_s": warm_total,
        "bare_scipy_s": bare,
        "ratio": warm_solve / bare if bare else float("nan"),
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
        f"{r['mentees']} mentees / {r['mentors']} mentors, "
        f"feasible fraction {r['feasible_fraction']:.3f} ({r['feasible_pairs']} pairs)\n"
        f"  first run: score {r['score_s']:.2f}s, solve {r['solve_s']:.2f}s ({r['solver']}),"
        f" whole round {r['round_s']:.2f}s\n"
        f"  warm best: score {r['warm_score_s']:.2f}s, solve {r['warm_solve_s']:.2f}s,"
        f" whole round {r['warm_round_s']:.2f}s;"
        f" bare scipy {r['bare_scipy_s']:.2f}s, solve/bare {r['ratio']:.2f}\n"
        f"  memory: peak traced {r['traced_peak_mb']:.0f} MB,"
        f" max RSS {r['rss_peak_mb']:.0f} MB"
        f" (of which {r['rss_before_mb']:.0f} MB before solving)\n"
        f"  matched {r['matched']} of {r['max_matchable']} matchable"
        f" (greedy {r['greedy_matched']}); total score {r['total_score']:.1f}"
        f" vs greedy {r['greedy_total_score']:.1f}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", type=int, nargs="*", default=[1000, 5000, 10000])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3, help="warm runs (best is shown)")
    parser.add_argument("--single", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.single:
        print(json.dumps(measure(args.sizes[0], args.seed, args.repeat)))
        return
    for n in args.sizes:
        out = subprocess.run(
            [sys.executable, __file__, str(n), "--seed", str(args.seed)]
            + ["--repeat", str(args.repeat), "--single"],
            check=True,
            capture_output=True,
            text=True,
        )
        show(json.loads(out.stdout.strip().splitlines()[-1]))


if __name__ == "__main__":
    main()
