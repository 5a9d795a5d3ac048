"""``python -m langind`` (also what ``torchrun -m langind`` runs)."""

from langind.cli import entry

entry()
