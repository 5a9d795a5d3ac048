"""langind.lm.device: the allocator setting the mapping fits use on CPU."""

from __future__ import annotations

import subprocess
import sys

import pytest

CHURN = """
import resource, torch
from langind.lm.device import keep_freed_memory
def faults():
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt
def churn():  # what a fit step does: several 20 MB tensors made, then freed together
    xs = [torch.ones(5_000_000) for _ in range(4)]; del xs
    f0 = faults()
    for _ in range(40):
        xs = [torch.ones(5_000_000) for _ in range(4)]; del xs
    return faults() - f0
before = churn(); ok = keep_freed_memory(); again = keep_freed_memory(); after = churn()
print(before, ok, again, after)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_keep_freed_memory_stops_large_blocks_being_faulted_in_again():
    # in a fresh process, rounds of 4 × 20 MB blocks made and freed: after keep_freed_memory() the
    # blocks are reused instead of handed back to the system and page-faulted in anew
    out = subprocess.run([sys.executable, "-c", CHURN], capture_output=True, text=True, check=True).stdout.split()
    before, ok, again, after = int(out[0]), out[1], out[2], int(out[3])
    assert ok == "True" and again == "True"  # accepted, and idempotent
    round_pages = 4 * 20_000_000 // 4096  # one round's blocks, in pages
    # after it: at most one more growth of the heap over 40 rounds (fresh blocks every round would be 40
    # rounds' pages); by default glibc faults them in again every round or every few (seen: 2–40 rounds'
    # worth, depending on its dynamic threshold's state)
    assert after <= 1.5 * round_pages, after
    assert before >= after, (before, after)
