#!/usr/bin/env python3
"""Where the large memory of running `ablate` processes sits in physical memory (needs root to read frame numbers).

For every mapping of at least 64 MiB in each process given (default: every process whose name starts with `ablate`): its size, how
many distinct 2 MiB physical regions its present pages occupy (ideal: one per 2 MiB), and the share of neighbouring
pages that are physically consecutive. Run it beside `ablate run -w gather -s serial,process -j 1 --reps 30`: see
docs/studies/input-pages.md.
"""
import os
import struct
import sys

MIN_BYTES = 64 << 20


def ablate_pids():
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/comm") as comm:
                if comm.read().startswith("ablate"):
                    yield pid
        except OSError:
            continue


def frames(pid, low, high):
    with open(f"/proc/{pid}/pagemap", "rb") as pagemap:
        pagemap.seek(low // 4096 * 8)
        raw = pagemap.read((high - low) // 4096 * 8)
    return [entry & ((1 << 55) - 1) for (entry,) in struct.iter_unpack("<Q", raw) if entry >> 63]


def describe(pid):
    with open(f"/proc/{pid}/maps") as maps:
        for line in maps:
            fields = line.split()
            low, high = (int(x, 16) for x in fields[0].split("-"))
            if high - low < MIN_BYTES:
                continue
            present = frames(pid, low, high)
            if not present:
                continue
            if not any(present):
                sys.exit("frame numbers read as 0: run as root")
            regions = len({frame >> 9 for frame in present})
            consecutive = sum(abs(a - b) == 1 for a, b in zip(present, present[1:])) / max(1, len(present) - 1)
            name = fields[5] if len(fields) > 5 else "[anonymous]"
            print(
                f"pid {pid} {name}: {(high - low) >> 20} MiB, {len(present) * 4 >> 10} MiB present, "
                f"{regions} distinct 2 MiB physical regions (ideal {max(1, len(present) // 512)}), "
                f"{consecutive:.2f} of neighbouring pages physically consecutive"
            )


for pid in sys.argv[1:] or list(ablate_pids()):
    try:
        describe(pid)
    except FileNotFoundError:
        print(f"pid {pid} has exited", file=sys.stderr)
