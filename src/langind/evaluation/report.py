"""Reports: markdown tables and plots from the results dictionaries of other rooms."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def band_table(bands: dict, count_only: dict | None = None) -> str:
    """Markdown table of hit@k / assignment per band (and the count-only baseline)."""
    head = "| band | words | hit@1 | hit@5 | hit@10 | assignment |" + (" count-only |" if count_only else "")
    sep = "|---|---:|---:|---:|---:|---:|" + ("---:|" if count_only else "")
    lines = [head, sep]
    for name, r in bands.items():
        cells = [name, str(r["words"])] + [_f(r.get(k)) for k in ("hit@1", "hit@5", "hit@10", "assign")]
        if count_only:
            cells.append(_f(count_only.get(name, {}).get("assign")))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _f(v) -> str:
    return "–" if v is None else f"{v:.3f}"


def plot_hit_curve(path: Path, ranks: np.ndarray, curves: dict[str, np.ndarray], title: str,
                   n_bins: int = 30) -> None:
    """hit rate against frequency rank (log-spaced bins) for each named 0/1 array in ``curves``."""
    import matplotlib

    matplotlib.use("Agg")  # files only, no display
    import matplotlib.pyplot as plt

    hi = max(int(ranks.max()) + 1, 2)
    edges = np.unique(np.geomspace(1, hi + 1, n_bins).astype(int)) - 1
    fig, ax = plt.subplots(figsize=(7, 4))
    for name, hit in curves.items():
        xs, ys = [], []
        for lo, up in zip(edges[:-1], edges[1:]):
            sel = (ranks >= lo) & (ranks < up)
            if sel.any():
                xs.append((lo + up) / 2 + 1)
                ys.append(hit[sel].mean())
        ax.plot(xs, ys, marker="o", ms=3, label=name)
    ax.set_xscale("log")
    ax.set_xlabel("frequency rank of the true word (1 = most frequent)")
    ax.set_ylabel("share of words recovered")
    ax.set_ylim(-0.02, 1.02)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp.png")
    fig.savefig(tmp, dpi=110)
    plt.close(fig)
    tmp.replace(path)
