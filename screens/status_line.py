"""The status line: today and whether it is a working day first, then the operator, the station, 演示数据; warnings
whole on a line of their own (never cut to a bare ⚠ on a narrow terminal)."""

from __future__ import annotations

from textual.widgets import Static

WEEKDAYS = "一二三四五六日"


class StatusLine(Static):
    DEFAULT_CSS = """
    StatusLine { height: auto; max-height: 4; background: $panel; color: $text; padding: 0 1; }
    StatusLine.-warn { background: $warning 40%; }
    """

    def show(self, *, station: str, operator: str, today: str, day_kind: str, warnings: list[str], demo: bool) -> None:
        # What matters at the counter comes first, so that 80 columns cut only the station's name.
        parts = [f"{today} {day_kind}", f"操作员：{operator or '未登录'}", station or "未初始化"]
        if demo:
            parts.append("【演示数据】")
        lines = ["  │  ".join(parts)]
        if warnings:
            lines.append("⚠ " + "；".join(warnings))
        self.update("\n".join(lines))
        self.set_class(bool(warnings) or demo, "-warn")
