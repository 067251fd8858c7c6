"""Benchmark: the moderation page's identification warnings over 200 crafted texts.

The crafted texts are 2,000 characters (the longest a participant can send) built to make a
backtracking pattern slow: long runs of the characters an e-mail address, a web address or
a phone number is made of, with no match at the end. Printed beside a baseline measured in
the same run: the same warnings over 200 plain texts of the same length. With linear-time
patterns the two are of the same order. Target on a 2-core machine: 200 crafted texts well
under 200 ms (they took about 92 ms each with the old e-mail pattern). Run with `make bench`.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable

from assessment.moderation import warnings

TEXTS = 200
LENGTH = 2000
RUNS = 5
ORGANISATIONS = "Gemeente Dalfsen\nWaterschap Drents Overijsselse Delta\nProvincie Overijssel"

#: Pieces repeated to 2,000 characters: runs that almost make an address or a number.
CRAFTED_PIECES = ("a", "a.", "a-", "x.y-", "_.", "1.", "0", "www.", "@a.", "a.nl", "a (at ",
                  "+31 ", "06-", "0 ", "-0.", "a.com.a.nlx", "9.00-", "a%", "a+", "wethouder ")
PLAIN = ("Wij werken in de regio goed samen, maar de ambities zijn niet altijd duidelijk. "
         "Vooral bij de woningbouw en de bereikbaarheid kan het beter; de raden worden laat "
         "betrokken en de middelen zijn versnipperd over te veel projecten. ")


def repeated(piece: str, start: str = "") -> str:
    """``start`` then ``piece`` again and again, cut to LENGTH characters."""
    return (start + piece * (LENGTH // len(piece) + 1))[:LENGTH]


def crafted_texts() -> list[str]:
    """TEXTS crafted texts: every piece, after a different short lead-in each time."""
    return [repeated(CRAFTED_PIECES[i % len(CRAFTED_PIECES)], start="x" * (i // 20))
            for i in range(TEXTS)]


def plain_texts() -> list[str]:
    """TEXTS ordinary texts of the same length."""
    return [repeated(PLAIN, start=f"Punt {i}: ") for i in range(TEXTS)]


def median_ms(texts: list[str]) -> float:
    """The median wall time of RUNS passes over ``texts`` (warnings as the page asks them)."""
    def one_pass() -> None:
        for text in texts:
            warnings(text, ORGANISATIONS, True)

    return statistics.median(_timed(one_pass) for _ in range(RUNS))


def _timed(action: Callable[[], None]) -> float:
    start = time.perf_counter()
    action()
    return (time.perf_counter() - start) * 1000


def main() -> int:
    """Measure, print."""
    baseline = median_ms(plain_texts())
    crafted = median_ms(crafted_texts())
    print(f"moderation warnings: {TEXTS} texts of {LENGTH} characters, median of {RUNS} runs")
    print(f"  baseline ({TEXTS} plain texts):   {baseline:8.1f} ms")
    print(f"  {TEXTS} crafted texts:            {crafted:8.1f} ms "
          f"({crafted / baseline:.1f}x baseline; target < 200 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
