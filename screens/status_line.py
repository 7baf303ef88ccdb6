"""The status line: station, operator, today and whether it is a working day, warnings, 演示数据."""

from __future__ import annotations

from textual.widgets import Static

WEEKDAYS = "一二三四五六日"


class StatusLine(Static):
    DEFAULT_CSS = """
    StatusLine { height: 1; background: $panel; color: $text; padding: 0 1; }
    StatusLine.-warn { background: $warning 40%; }
    """

    def show(self, *, station: str, operator: str, today: str, day_kind: str, warnings: list[str], demo: bool) -> None:
        parts = [station or "未初始化", f"操作员：{operator or '未登录'}", f"{today} {day_kind}"]
        if demo:
            parts.insert(0, "【演示数据】")
        if warnings:
            parts.append("⚠ " + "；".join(warnings))
        self.update("  │  ".join(parts))
        self.set_class(bool(warnings) or demo, "-warn")
