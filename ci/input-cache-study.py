#!/usr/bin/env python3
"""The input-cache study's figures from its kept trials (ci/input-cache-study.sh writes them: DIR/cached-N/ and
DIR/uncached-N/, each with the candidate's record r.json and the base's r.ab-base.json).

Per way (cached, uncached):
- the cost of a round's group openings: per round, the sum over groups of the longer of the two builds' waits for
  the group to open (the driver's clock: what the round pays), and each build's time making or decoding inputs
  (`prepare_ns`, the build's clock); round 0 (where the cache is filled) apart from the later rounds;
- the A/A pairs' spread: per cell, the median |ln(candidate / base)| over its rounds (the last try of each round);
  then, cell by cell, cached against uncached: the median ratio of spreads, and in how many cells the cached
  spread is the wider (about half, if the cache changes nothing);
- the pairs' round-to-round dependence: per cell, the lag-1 autocorrelation of its log ratios over rounds,
  averaged over cells (near 0 for independent rounds; its standard error is about 1/sqrt(rounds · cells)).

Usage: ci/input-cache-study.py DIR
"""
import json
import math
import os
import statistics
import sys


def load(path):
    with open(path) as f:
        return json.load(f)


def trials(root, way):
    for name in sorted(os.listdir(root)):
        if name.startswith(way + "-"):
            candidate = os.path.join(root, name, "r.json")
            base = os.path.join(root, name, "r.ab-base.json")
            if os.path.exists(candidate) and os.path.exists(base):
                yield load(candidate), load(base)


def open_costs(candidate, base):
    """Per round: the longer wait of the two builds summed over groups, and both builds' prepare time (seconds)."""
    rounds = {}
    for record in (candidate, base):
        for o in record.get("pairing", {}).get("opens", []):
            r = rounds.setdefault(o["round"], {"waits": {}, "prepare": 0})
            r["waits"][o["group"]] = max(r["waits"].get(o["group"], 0), o["wait_ns"])
            r["prepare"] += o.get("prepare_ns") or 0
    return {k: (sum(v["waits"].values()) / 1e9, v["prepare"] / 1e9) for k, v in rounds.items()}


def last_tries(cell):
    """Each round's wall time from the last try of its pair."""
    by_round = {}
    for s in cell["samples"]:
        if s["round"] not in by_round or s.get("attempt", 0) >= by_round[s["round"]][0]:
            by_round[s["round"]] = (s.get("attempt", 0), s["wall_ns"])
    return {r: w for r, (_, w) in by_round.items()}


def log_ratios(candidate, base):
    """Per cell id: the log ratios of its pairs in round order."""
    bases = {c["id"]: last_tries(c) for c in base["cells"]}
    out = {}
    for cell in candidate["cells"]:
        mine, theirs = last_tries(cell), bases.get(cell["id"], {})
        rounds = sorted(r for r in mine if r in theirs and mine[r] > 0 and theirs[r] > 0)
        out[cell["id"]] = [math.log(mine[r] / theirs[r]) for r in rounds]
    return out


def lag1(xs):
    if len(xs) < 3:
        return None
    m = statistics.fmean(xs)
    den = sum((x - m) ** 2 for x in xs)
    return None if den == 0 else sum((a - m) * (b - m) for a, b in zip(xs, xs[1:])) / den


def summarise(root, way):
    first, later, prepare_first, prepare_later, spreads, lags, gates = [], [], [], [], {}, [], 0
    for candidate, base in trials(root, way):
        gates += 1
        for round_, (wait, prepare) in open_costs(candidate, base).items():
            (first if round_ == 0 else later).append(wait)
            (prepare_first if round_ == 0 else prepare_later).append(prepare)
        for cell, ratios in log_ratios(candidate, base).items():
            if ratios:
                spreads.setdefault(cell, []).append(statistics.median(abs(x) for x in ratios))
            lag = lag1(ratios)
            if lag is not None:
                lags.append(lag)
    med = lambda xs: statistics.median(xs) if xs else float("nan")
    print(f"{way}: {gates} gates; a round's openings {med(first):.3f} s in round 0, {med(later):.3f} s later "
          f"(median); inputs made or decoded {med(prepare_first):.3f} s in round 0, {med(prepare_later):.3f} s later "
          f"(both builds); mean lag-1 autocorrelation of the pairs {statistics.fmean(lags) if lags else float('nan'):+.3f} "
          f"over {len(lags)} cell-gates")
    return {cell: statistics.median(v) for cell, v in spreads.items()}


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    root = sys.argv[1]
    cached, uncached = summarise(root, "cached"), summarise(root, "uncached")
    both = [c for c in cached if c in uncached and uncached[c] > 0 and cached[c] > 0]
    if not both:
        print("no cell measured both ways")
        return
    ratios = [cached[c] / uncached[c] for c in both]
    wider = sum(r > 1 for r in ratios)
    print(f"A/A spread (median |ln ratio| per cell), cached over uncached: median {statistics.median(ratios):.3f} "
          f"over {len(both)} cells; cached wider in {wider} of {len(both)} "
          f"(a sign test's two-sided p {sign_test(wider, len(both)):.3f})")


def sign_test(k, n):
    tail = sum(math.comb(n, i) for i in range(0, min(k, n - k) + 1)) / 2 ** n
    return min(1.0, 2 * tail)


if __name__ == "__main__":
    main()
