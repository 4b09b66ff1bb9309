"""Runs a command with @DEEP@ in its arguments replaced by N nested brackets.

  deep.py N OPEN CLOSE COMMAND ARGS...

Each argument's @DEEP@ becomes OPEN*N + CLOSE*N (e.g. "[" and "]"); the
command's stderr and stdout are printed, and its exit code returned, so that
command lines too long to write in a test can still be checked.
"""

import re
import subprocess
import sys

depth, opener, closer = int(sys.argv[1]), sys.argv[2], sys.argv[3]
deep = opener * depth + closer * depth
args = [a.replace("@DEEP@", deep) for a in sys.argv[4:]]
r = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
out = r.stdout.decode(errors="replace")
# Messages that echo the text would hold every bracket: shorten runs of one
# character to 20 of them and "...".
print(re.sub(r"(.)\1{20,}", lambda m: m.group(1) * 20 + "...", out), end="")
sys.exit(r.returncode)
