"""Runs README.md's tested sh block in a scratch directory.

  run-readme.py README.md SRC_DIR BIN_DIR WORK_DIR

The block after the marker "<!-- tested by: test/docs/readme-examples.test -->"
runs as written, with build/bin/ meaning BIN_DIR, the repository's
utils/, examples/ and configs/ meaning those of SRC_DIR, and python3 the
interpreter running this script. Each command's first line is printed
before it runs; a failing command fails the script.
"""

import re
import subprocess
import sys

MARKER = "<!-- tested by: test/docs/readme-examples.test -->"


def main():
    readme, src, bin_dir, work = sys.argv[1:]
    text = open(readme).read()
    if MARKER not in text:
        sys.exit(readme + ": no tested block (" + MARKER + ")")
    after = text[text.index(MARKER) + len(MARKER):].lstrip()
    if not after.startswith("```sh\n"):
        sys.exit(readme + ": the marker is not followed by an sh block")
    block = after[len("```sh\n"):after.index("\n```")]
    block = block.replace("build/bin/", bin_dir + "/")
    block = re.sub(r"(?<![\w/.])(utils|examples|configs)/", src + r"/\1/", block)
    block = re.sub(r"^python3 ", sys.executable + " ", block, flags=re.M)
    commands = re.split(r"(?<!\\)\n", block)
    count = 0
    for command in commands:
        if not command.strip() or command.lstrip().startswith("#"):
            continue
        count += 1
        print("$", command.split("\n")[0].replace(bin_dir + "/", "").replace(src + "/", ""))
        sys.stdout.flush()
        subprocess.run(["bash", "-euo", "pipefail", "-c", command], cwd=work,
                       check=True)
    print("ran", count, "commands")


main()
