#!/usr/bin/env python3
"""Every relative link and image of README.md, CHANGELOG.md and the guide (docs/) points to a file that exists
inside the repository, and every anchor to a heading of its page.

    python3 ci/check-links.py

Links to the web are not fetched. Fails (exit 1) listing each broken link as FILE:LINE: LINK (why).
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(([^()\s]+)(?:\s+\"[^\"]*\")?\)")
FENCE = re.compile(r"^\s*(```|~~~)")


def pages():
    yield ROOT / "README.md"
    yield ROOT / "CHANGELOG.md"
    yield from sorted((ROOT / "docs").rglob("*.md"))


def prose(text):
    """Each line outside fenced code blocks, with inline code spans blanked, as (number, line)."""
    fenced = False
    for number, line in enumerate(text.split("\n"), 1):
        if FENCE.match(line):
            fenced = not fenced
            continue
        if not fenced:
            yield number, re.sub(r"`[^`]*`", lambda m: " " * len(m.group(0)), line)


def slug(heading):
    """A heading's anchor, as GitHub and mdBook make it: lowercase, markup and punctuation dropped, spaces to -."""
    text = re.sub(r"[`*_]|<[^>]*>", "", heading.strip().lower())
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(page):
    return {slug(line.lstrip("#")) for _, line in prose(page.read_text()) if re.match(r"#{1,6} ", line)}


def broken(page):
    for number, line in prose(page.read_text()):
        for target in LINK.findall(line):
            if re.match(r"[a-z]+:", target):
                continue
            path, _, anchor = target.partition("#")
            resolved = (page.parent / path).resolve() if path else page
            where = f"{page.relative_to(ROOT)}:{number}: {target}"
            if ROOT not in resolved.parents and resolved != ROOT:
                yield f"{where} (points outside the repository)"
            elif not resolved.exists():
                yield f"{where} (no such file)"
            elif anchor and resolved.suffix == ".md" and anchor not in anchors(resolved):
                yield f"{where} (no heading makes #{anchor})"


def main():
    problems = [problem for page in pages() for problem in broken(page)]
    for problem in problems:
        print(problem)
    checked = sum(1 for _ in pages())
    print(f"links: {checked} pages checked, {len(problems)} broken")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
