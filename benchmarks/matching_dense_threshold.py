"""Where the dense Hungarian solver stops beating the sparse one (sets DENSE_MAX_CELLS).

Prints, per generated round size, the cost-matrix cells and the best-of-N solve time of
``linear_sum_assignment`` (dense) and ``min_weight_full_bipartite_matching`` (sparse).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from generate_round import generate  # noqa: E402

from mentor_match.matching.solver import prepare  # noqa: E402


def best_time(problem, method: str, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        problem.solve(method)
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", type=int, nargs="*", default=[10, 25, 50, 100, 200, 300, 500])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"{'mentees':>8} {'cells':>10} {'dense ms':>9} {'sparse ms':>10}")
    for n in args.sizes:
        _, _, problem, _ = prepare(generate(n, seed=1))
        cells = problem.rows.size * (problem.n_places + problem.rows.size)
        dense = best_time(problem, "dense", args.repeat) * 1000
        sparse = best_time(problem, "sparse", args.repeat) * 1000
        print(f"{n:>8} {cells:>10} {dense:>9.2f} {sparse:>10.2f}", flush=True)


if __name__ == "__main__":
    main()
