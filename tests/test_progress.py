"""langind.progress: a bar on a terminal, a plain line every few percent in a log."""

from __future__ import annotations

import io

from langind.progress import LineProgress, progress_bar


def test_a_log_gets_one_line_per_five_percent_not_a_redrawn_bar():
    log = io.StringIO()  # not a terminal, like CI or `2> log`
    bar = progress_bar(total=1000, file=log)
    assert isinstance(bar, LineProgress)
    for i in range(1000):
        bar.update(1)
        bar.set_postfix(loss=f"{1 / (i + 1):.3f}", refresh=False)
    bar.close()
    lines = log.getvalue().splitlines()
    assert len(lines) == 20 and "\r" not in log.getvalue()
    assert lines[0].startswith("  5% 50/1000 step") and lines[-1].startswith("100% 1000/1000 step")
    assert "loss=0.001" in lines[-1]


def test_a_jump_prints_once_and_a_disabled_bar_prints_nothing(capsys):
    log = io.StringIO()
    bar = progress_bar(total=60, unit="s", file=log)
    bar.update(40)  # a time-based bar moves in jumps
    bar.update(20)
    bar.close()
    lines = log.getvalue().splitlines()
    assert [line.split()[:2] for line in lines] == [["67%", "40/60"], ["100%", "60/60"]]
    quiet = progress_bar(total=10, enabled=False)
    quiet.update(10)
    quiet.close()
    assert capsys.readouterr().err == ""
