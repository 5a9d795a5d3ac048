"""Progress bars that suit where the output goes.

On a terminal: tqdm's bar. When stderr is a file, a pipe or a CI log (``nohup``, ``2> log``), a
redrawn bar would write thousands of carriage-return frames into the log; there the bar prints one
plain line every :data:`LINE_EVERY` of the run instead (``  35% 700/2000 step  41s  loss=4.1``).
"""

from __future__ import annotations

import sys
import time

from tqdm import tqdm

LINE_EVERY = 0.05  # a line per 5% of the run when the output is not a terminal


class LineProgress:
    """The subset of tqdm's interface langind uses (``update``, ``set_postfix``, ``close``, ``n``),
    printing a line each time another :data:`LINE_EVERY` of ``total`` is done."""

    def __init__(self, total: int, initial: int = 0, unit: str = "step", file=None, every: float = LINE_EVERY):
        self.total, self.n, self.unit, self.every = total, initial, unit, every
        self.file = file if file is not None else sys.stderr
        self.postfix = ""
        self._t0 = time.time()
        self._next = (int(self._fraction() / every) + 1) * every
        self._last_printed = None

    def _fraction(self) -> float:
        return self.n / self.total if self.total else 0.0

    def update(self, n: int = 1) -> None:
        self.n += n
        if self.total and self._fraction() >= self._next - 1e-12:
            self._print()
            self._next = (int(self._fraction() / self.every + 1e-9) + 1) * self.every

    def set_postfix(self, ordered_dict=None, refresh: bool = False, **kwargs) -> None:
        items = {**(ordered_dict or {}), **kwargs}
        self.postfix = "  ".join(f"{k}={v}" for k, v in items.items())

    def _print(self) -> None:
        pct = f"{self._fraction():4.0%} " if self.total else ""
        print(f"{pct}{self.n}/{self.total} {self.unit}  {time.time() - self._t0:.0f}s  {self.postfix}".rstrip(),
              file=self.file, flush=True)
        self._last_printed = self.n

    def close(self) -> None:
        if self._last_printed != self.n and self.n:
            self._print()


def progress_bar(total: int, initial: int = 0, enabled: bool = True, unit: str = "step", file=None):
    """A progress bar over ``total`` units: tqdm on a terminal, :class:`LineProgress` elsewhere, a
    silent tqdm when not ``enabled``."""
    stream = file if file is not None else sys.stderr
    if not enabled:
        return tqdm(total=total, initial=initial, disable=True)
    if hasattr(stream, "isatty") and stream.isatty():
        return tqdm(total=total, initial=initial, dynamic_ncols=True, unit=unit, file=stream)
    return LineProgress(total, initial, unit, stream)
