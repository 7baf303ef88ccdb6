"""station-tui: the counter terminal of a rural power supply station (供电所)."""

from __future__ import annotations

from pathlib import Path

__version__ = "0.4.0"

# In a checkout, screens/ and data/ stand beside this package; the wheel maps them inside it
# (see pyproject.toml). Adding the checkout root to __path__ makes `station_tui.screens` resolve in both.
_here = Path(__file__).resolve().parent
_checkout = _here.parent
if not (_here / "screens").is_dir() and (_checkout / "screens" / "__init__.py").is_file():
    __path__.append(str(_checkout))  # type: ignore[name-defined]  # noqa: F821
