"""Run directories and crash-safe file writing.

Every command that produces something writes a *run directory*::

    RUN/
      config.json     what was asked for (all options, versions)
      metrics.json    what was measured
      log.txt         a line per event, appended as the run goes
      ...             the command's artefacts (checkpoints, lexicons, plots, reports)

Every file is written to a temporary name in the same folder and renamed into place, so a run that
is killed leaves either the old file or the new one, never half of one.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from langind.errors import LangindError


def ensure_dir(path: Path, what: str = "output directory") -> Path:
    """Create ``path`` (and parents) or stop with a one-line error saying why it cannot be made."""
    path = Path(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise LangindError(f"{path}: exists and is not a directory; choose another {what}") from None
    except OSError as exc:
        raise LangindError(f"{path}: cannot create the {what} ({exc.strerror or exc}); choose another path") from None
    return path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary sibling and a rename: all of it or nothing."""
    path = Path(path)
    ensure_dir(path.parent)
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise LangindError(f"{path}: cannot write here ({exc.strerror or exc}); choose another path") from None
    try:
        # mkstemp creates 0600 whatever the umask; give the file what a plain open() would
        os.chmod(tmp, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def check_writable(path: Path, what: str = "output file") -> Path:
    """Stop with a one-line error, before any work, when ``path`` could not be written: its folder
    cannot be made or written to, or it is a directory. (The write itself stays atomic.)"""
    path = Path(path)
    if path.is_dir():
        raise LangindError(f"{path}: is a directory; give a file name for the {what}")
    ensure_dir(path.parent, f"folder of the {what}")
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise LangindError(f"{path}: cannot write the {what} here ({exc.strerror or exc}); choose another path") from None
    os.close(fd)
    Path(tmp).unlink(missing_ok=True)
    return path


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(Path(path), text.encode("utf-8"))


def atomic_write_json(path: Path, obj: Any) -> None:
    atomic_write_text(Path(path), json.dumps(obj, indent=2, ensure_ascii=False, default=str) + "\n")


def read_json(path: Path, what: str) -> Any:
    p = Path(path)
    if not p.exists():
        raise LangindError(f"{p}: {what} not found")
    try:
        return json.loads(p.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise LangindError(f"{p}: {what} is not valid JSON ({exc}); the file is damaged") from None


def environment() -> dict[str, str]:
    """Versions that affect numbers, recorded in every run's config."""
    import numpy
    import torch

    return {
        "python": sys.version.split()[0],
        "torch": torch.__version__,
        "numpy": numpy.__version__,
        "platform": platform.platform(),
        "langind": _langind_version(),
    }


def _langind_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("langind")
    except PackageNotFoundError:
        return "unknown"


class RunDir:
    """A run directory: config, metrics and log live here, artefacts beside them."""

    def __init__(self, path: str | Path, create: bool = True):
        self.path = Path(path)
        if create:
            if self.path.exists() and not self.path.is_dir():
                raise LangindError(f"{self.path}: exists and is not a directory; choose another --out")
            ensure_dir(self.path, "run directory (--out)")
        elif not self.path.is_dir():
            raise LangindError(f"{self.path}: no such run directory")

    @staticmethod
    def default_path(command: str, root: str | Path = "runs") -> Path:
        stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
        return Path(root) / f"{command}-{stamp}"

    def __truediv__(self, name: str) -> Path:
        return self.path / name

    def write_config(self, config: dict) -> None:
        atomic_write_json(self / "config.json", {**config, "environment": environment()})

    def write_metrics(self, metrics: dict) -> None:
        atomic_write_json(self / "metrics.json", metrics)

    def read_metrics(self) -> dict:
        p = self / "metrics.json"
        return read_json(p, "metrics") if p.exists() else {}

    def log(self, message: str) -> None:
        stamp = time.strftime("%Y-%m-%d %H:%M:%S")
        with open(self / "log.txt", "a", encoding="utf-8") as fh:
            fh.write(f"{stamp} {message}\n")
