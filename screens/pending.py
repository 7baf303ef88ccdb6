"""An area whose screen is not built yet: it says so plainly instead of showing nothing."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from station_tui.screens.base import StationScreen


class PendingScreen(StationScreen):
    CSS_PATH = "pending.tcss"

    def __init__(self, area: str, title: str) -> None:
        super().__init__(id=f"area-{area}")
        self.area_title = title

    def compose(self) -> ComposeResult:
        with Vertical(id="pending-box"):
            yield Static(self.area_title, id="pending-title")
            yield Static(f"「{self.area_title}」功能尚未完成，暂不可用。按 F1 回到工作台。", id="pending-text")
