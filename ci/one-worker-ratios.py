#!/usr/bin/env python3
"""Every strategy at one worker against serial, from an `ablate run` results file: the serial-bias study.

For each workload and size, each 1-worker cell's median wall time over serial's, with a 95 % bootstrap interval of
that ratio (2 000 resamples of both cells' samples, seeded), printed as a markdown table. A ratio agrees with serial
when its interval holds 1.00 or it lies within ±3 %; one that does not is marked with `!`.

    ablate run -s serial,threads,rayon,crossbeam,process -j 1 --reps 30 --out r.json && ci/one-worker-ratios.py r.json
"""
import json
import random
import statistics
import sys

RESAMPLES = 2000
TOLERANCE = 0.03


def interval(cell, serial, rng):
    ratios = sorted(
        statistics.median(rng.choices(cell, k=len(cell))) / statistics.median(rng.choices(serial, k=len(serial)))
        for _ in range(RESAMPLES)
    )
    return ratios[int(0.025 * RESAMPLES)], ratios[int(0.975 * RESAMPLES) - 1]


def walls(cell):
    return [sample["wall_ns"] for sample in cell["samples"]]


def main(path):
    with open(path) as results:
        cells = [c for c in json.load(results)["cells"] if c["status"]["state"] == "ok" and "decision" not in c]
    rng = random.Random(7)
    strategies = []
    rows = {}
    for cell in cells:
        if cell["workers"] != 1 or cell["strategy"] == "serial":
            continue
        name = cell["strategy"] + (f"/{cell['transport']}" if cell.get("transport") else "")
        if name not in strategies:
            strategies.append(name)
        group = (cell["workload"], cell["size"])
        serial = next(c for c in cells if (c["workload"], c["size"]) == group and c["strategy"] == "serial")
        ratio = statistics.median(walls(cell)) / statistics.median(walls(serial))
        low, high = interval(walls(cell), walls(serial), rng)
        agrees = low <= 1.0 <= high or abs(ratio - 1.0) <= TOLERANCE
        rows.setdefault(group, {})[name] = f"{ratio:.2f} [{low:.2f}, {high:.2f}]{'' if agrees else ' !'}"
    print("| workload | serial | " + " | ".join(strategies) + " |")
    print("|---" * (len(strategies) + 2) + "|")
    for (workload, size), row in rows.items():
        serial = next(c for c in cells if (c["workload"], c["size"]) == (workload, size) and c["strategy"] == "serial")
        median_ms = statistics.median(walls(serial)) / 1e6
        print(f"| {workload} | {median_ms:.1f} ms | " + " | ".join(row.get(s, "-") for s in strategies) + " |")


if __name__ == "__main__":
    main(sys.argv[1])
