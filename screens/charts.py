"""Charts drawn in the terminal with block characters: one line per month, a bar and its number, and an optional
limit marked on every line (the 指标 screen's working days against the category's limit). The county screen and the
station's 指标 screen both draw with this."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.text import Text

BAR_WIDTH = 40
BAR_STYLE = "#5fafff"  # fixed colours: the bars must read the same on every theme
OVER_STYLE = "bold #ff5f5f"
LIMIT_MARK = "│"


def bars(
    labels: Sequence[str],
    values: Sequence[float | None],
    *,
    width: int = BAR_WIDTH,
    limit: float | None = None,
    top: float | None = None,
    number: Callable[[float], str] = lambda v: f"{v:g}",
) -> Text:
    """One line per label: a bar as long as its value (the longest, or `top`, fills `width`), then the number.

    With `limit`, a mark stands at the limit's place on every line and a bar beyond it is drawn red. A value of None
    (nothing to count that month) draws no bar and a dash."""
    text = Text()
    known = [v for v in values if v is not None]
    scale = top or max([*known, limit or 0], default=0) or 1
    label_width = max((len(label) for label in labels), default=0)
    mark = None if limit is None else min(width - 1, round(limit * width / scale))
    for label, value in zip(labels, values, strict=True):
        text.append(f"{label:<{label_width}} ")
        length = 0 if value is None else max(1 if value > 0 else 0, round(value * width / scale))
        over = limit is not None and value is not None and value > limit
        cells = ["█"] * length + [" "] * (width - length)
        if mark is not None:
            cells[mark] = LIMIT_MARK if cells[mark] == " " else "┃"
        text.append("".join(cells), style=OVER_STYLE if over else BAR_STYLE)
        text.append(f" {'—' if value is None else number(value)}\n")
    text.rstrip()  # no blank line under the chart
    return text
