"""Benchmark: what one check costs on a tiny payload, with one Guardrail reused.

    python bench/bench_overhead.py [--checks 2000] [--policy uk-personal-data]

A server or an upload hook checks thousands of small payloads with one policy; what
matters there is the fixed cost of a check, not the cost per record. This loads the
policy once, checks a 1-record JSON payload (a name, a phone number and a postcode,
so every detector runs) --checks times, and prints the mean time per check. The
decision of every check must be the same (blocked, with the same findings).

Compare two checkouts by running it under each (PYTHONPATH=<checkout>:<checkout>/plugins).
"""

from __future__ import annotations

import argparse
import time

PAYLOAD = (b'[{"case_ref": "ASB/2026/000123", "notes": "Caller Jack Davies on '
           b'07700 900123, lives near HP3 9QT"}]')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checks", type=int, default=2000)
    parser.add_argument("--policy", default="uk-personal-data")
    args = parser.parse_args()

    from guardrail import Guardrail

    guard = Guardrail.from_policy(args.policy)
    first = guard.check(PAYLOAD, format="json")  # warm: first compile, first scans
    expected = (first.verdict, len(first.findings))
    start = time.perf_counter()
    for _ in range(args.checks):
        decision = guard.check(PAYLOAD, format="json")
        assert (decision.verdict, len(decision.findings)) == expected
    elapsed = time.perf_counter() - start
    print(f"{args.checks} checks of a 1-record payload: {elapsed:.2f} s, "
          f"{elapsed / args.checks * 1e6:.0f} us per check ({expected[0]}, "
          f"{expected[1]} findings)")


if __name__ == "__main__":
    main()
