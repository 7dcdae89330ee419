"""Instructions executed by a whole ``check``, for two checkouts of guardrail: a speed
ratio that the machine's drift cannot move (valgrind's callgrind, about 50x slower).

    python bench/bench_instructions.py BEFORE_DIR AFTER_DIR FILE [--policy NAME]

Each checkout is imported from its own directory (``DIR`` and ``DIR/plugins`` on
``PYTHONPATH``) and checks FILE with ``jobs=1`` and no time limit (a valgrind run of a
large file outlasts the default one). Compile both checkouts' bytecode first
(``python -m compileall DIR``): otherwise compiling counts too.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = """
import sys
from guardrail import Guardrail, Limits
try:
    limits = Limits(max_seconds=None)
except TypeError:  # a checkout from before the time limit
    limits = Limits()
decision = Guardrail.from_policy(sys.argv[2]).check(sys.argv[1], jobs=1, limits=limits)
print("records", decision.files[0].records, "error", decision.files[0].error)
"""


def instructions(checkout: Path, payload: Path, policy: str) -> int:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "callgrind.out"
        env = dict(os.environ, PYTHONPATH=f"{checkout}:{checkout / 'plugins'}")
        done = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
                               sys.executable, "-c", CHILD, str(payload), policy],
                              capture_output=True, text=True, env=env, check=False)
    found = re.search(r"Collected : (\d+)", done.stderr)
    if done.returncode not in (0, 1) or not found or "error None" not in done.stdout:
        sys.exit(f"{checkout}: the check did not complete\n{done.stdout}{done.stderr[-2000:]}")
    return int(found.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("payload", type=Path)
    parser.add_argument("--policy", default="asb-public-web")
    args = parser.parse_args()
    before = instructions(args.before, args.payload, args.policy)
    after = instructions(args.after, args.payload, args.policy)
    print(f"before {before / 1e9:.3f} G  after {after / 1e9:.3f} G  ratio {after / before:.3f}")


if __name__ == "__main__":
    main()
