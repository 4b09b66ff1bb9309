#!/usr/bin/env python3
"""Checks that a guide's commands and CMake snippets are what the tests run.

usage: check-guide.py GUIDE.md SOURCE_ROOT

Every ```sh and ```cmake block of the guide (and any other block so marked)
must follow a marker comment

  <!-- tested-by: PATH [| GUIDE_TEXT => TEST_TEXT]... -->

naming the test file (relative to SOURCE_ROOT) that runs it. The block, with
each GUIDE_TEXT replaced by its TEST_TEXT (in order), must occur in that
file: sh blocks as commands, with backslash continuations joined and
whitespace collapsed (in lit files, among the joined RUN lines); other blocks
verbatim. Prints one line per problem and exits 1 if there is any.
"""

import re
import sys

MARKER = re.compile(r"<!--\s*tested-by:\s*(.*?)\s*-->")
FENCE = re.compile(r"^```(\S*)\s*$")


def join_continuations(text):
    return re.sub(r"\\\n", " ", text)


def squash(text):
    return " ".join(text.split())


def run_lines(text):
    """The RUN lines of a lit test, joined as lit joins them."""
    runs = []
    for line in text.splitlines():
        match = re.search(r"RUN:(.*)$", line)
        if match:
            runs.append(match.group(1).rstrip())
    return join_continuations("\n".join(runs))


def blocks(guide):
    """Yields (line number, language, marker or None, text) per fenced block."""
    lines = guide.splitlines()
    marker = None
    i = 0
    while i < len(lines):
        match = MARKER.search(lines[i])
        if match:
            marker = (i + 1, match.group(1))
        fence = FENCE.match(lines[i])
        if fence:
            start, lang = i + 1, fence.group(1)
            i += 1
            body = []
            while i < len(lines) and not FENCE.match(lines[i]):
                body.append(lines[i])
                i += 1
            # A marker applies to the block right after it only.
            owned = marker if marker and marker[0] >= start - 2 else None
            yield start, lang, owned, "\n".join(body) + "\n"
            marker = None
        i += 1


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    guide_path, root = argv[1], argv[2]
    with open(guide_path, encoding="utf-8") as f:
        guide = f.read()
    problems = []
    checked = 0
    for line, lang, marker, text in blocks(guide):
        if marker is None:
            if lang in ("sh", "cmake"):
                problems.append(f"{guide_path}:{line}: {lang} block has no tested-by marker")
            continue
        parts = [p.strip() for p in marker[1].split("|")]
        test_path, subs = parts[0], parts[1:]
        for sub in subs:
            if "=>" not in sub:
                problems.append(f"{guide_path}:{marker[0]}: bad substitution '{sub}' (want 'A => B')")
                continue
            old, new = (s.strip() for s in sub.split("=>", 1))
            if old not in text:
                problems.append(f"{guide_path}:{marker[0]}: '{old}' does not occur in the block")
            text = text.replace(old, new)
        try:
            with open(f"{root}/{test_path}", encoding="utf-8") as f:
                target = f.read()
        except OSError as err:
            problems.append(f"{guide_path}:{marker[0]}: cannot read {test_path}: {err.strerror}")
            continue
        if lang == "sh":
            if test_path.endswith((".mlir", ".test")):
                target = run_lines(target)
            target = squash(join_continuations(target))
            for command in join_continuations(text).splitlines():
                if command.strip() and squash(command) not in target:
                    problems.append(
                        f"{guide_path}:{line}: command not run by {test_path}: {squash(command)}")
        elif text not in target:
            problems.append(f"{guide_path}:{line}: {lang} block differs from {test_path}")
        checked += 1
    for problem in problems:
        print(problem)
    if problems:
        return 1
    print(f"{checked} blocks match their tests")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
