#!/usr/bin/env python3
"""Runs every command of the fenced `sh` blocks of README.md and the guide's pages (docs/README.md, docs/guide/),
so that the docs cannot drift from the CLI.

    python3 ci/doc-commands.py

A block runs line by line (a line ending in `\\` goes on), from the repository root, with the release build's
directory first on PATH, so that `ablate` is the release build (built first). Every command must exit 0, unless
the line just before the block's fence says otherwise, as an HTML comment the rendered page does not show:

    <!-- commands: exit: N -->        every command of the block must exit N
    <!-- commands: skip: REASON -->   not run (minutes long, needs MPI or a repository of your own); REASON printed

The studies (docs/studies/) are not run: they are records of commands that take minutes to hours. What the
commands write under reports/ (git-ignored) is left there; a baseline a block stores, the block deletes.
Ends with `N passed, N failed, N skipped`, exit 1 on any failure.
"""
import json
import os
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
MARKER = re.compile(r"<!-- commands: (?:exit: (\d+)|skip: (.+?)) -->")
TIMEOUT_S = 600


def pages():
    yield ROOT / "README.md"
    yield ROOT / "docs" / "README.md"
    yield from sorted((ROOT / "docs" / "guide").glob("*.md"))


def blocks(page):
    """Each `sh` block of `page` as (its fence's line number, the marker before it or None, its commands)."""
    lines = page.read_text().split("\n")
    for i, line in enumerate(lines):
        if line.strip() != "```sh":
            continue
        marker = MARKER.fullmatch(lines[i - 1].strip()) if i else None
        body = []
        for text in lines[i + 1 :]:
            if text.strip().startswith("```"):
                break
            body.append(text)
        yield i + 1, marker, commands(body)


def commands(body):
    """The block's commands: continuation lines joined, blank lines and comments left out."""
    joined, pending = [], ""
    for text in body:
        if text.rstrip().endswith("\\"):
            pending += text.rstrip()[:-1] + " "
            continue
        line = (pending + text).strip()
        pending = ""
        if line and not line.startswith("#"):
            joined.append(line)
    return joined


def release_dir():
    metadata = subprocess.run(
        ["cargo", "metadata", "--format-version", "1", "--no-deps"], cwd=ROOT, capture_output=True, check=True
    )
    return pathlib.Path(json.loads(metadata.stdout)["target_directory"]) / "release"


def run(command, env):
    """The command's exit code (None when it ran past TIMEOUT_S) and the end of its stderr."""
    try:
        done = subprocess.run(["bash", "-c", command], cwd=ROOT, env=env, capture_output=True, timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return None, f"ran past {TIMEOUT_S} s"
    return done.returncode, done.stderr.decode(errors="replace")[-2000:]


def main():
    subprocess.run(["cargo", "build", "--release", "--bin", "ablate"], cwd=ROOT, check=True)
    env = dict(os.environ, PATH=f"{release_dir()}{os.pathsep}{os.environ['PATH']}")
    passed, skipped, failures = 0, 0, []
    for page in pages():
        for number, marker, block in blocks(page):
            where = f"{page.relative_to(ROOT)}:{number}"
            if marker and marker.group(2):
                print(f"skip {where}: {marker.group(2)}", flush=True)
                skipped += len(block)
                continue
            expected = int(marker.group(1)) if marker else 0
            for command in block:
                print(f"run  {where}: {command}", flush=True)
                code, stderr = run(command, env)
                if code == expected:
                    passed += 1
                else:
                    failures.append(f"{where}: `{command}` exited {code}, expected {expected}\n{stderr}")
    for failure in failures:
        print(f"FAILED {failure}")
    print(f"{passed} passed, {len(failures)} failed, {skipped} skipped")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
