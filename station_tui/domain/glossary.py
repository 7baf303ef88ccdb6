"""The one mapping from the domain's English code words to the Chinese the clerk reads."""

from __future__ import annotations

ROLES = {"clerk": "柜台", "customer_manager": "客户经理", "head": "站长"}

INTAKE_MODES = {"complete": "两证办结", "deferred": "容缺办理", "refused": "未受理"}

APPLICATION_STATUSES = {
    "open": "办理中",
    "paused": "暂停",
    "terminated": "已终止",
    "connected": "已送电",
    "closed": "已归档",
}

DOCUMENT_STATUSES = {"received": "已收", "deferred": "容缺待收", "collected": "已补收"}

COPY_KINDS = {"original": "原件", "copy": "复印件", "original_and_copy": "原件及复印件"}

CHANNELS = {"counter": "营业厅", "online": "线上预约", "phone": "电话预约"}

VOLTAGES = {"low": "低压", "high": "高压"}

SUPPLIES = {"single": "单电源", "dual": "双电源"}

LIMIT_UNITS = {"workday": "工作日", "calendar_day": "自然日"}

NOTICE_KINDS = {"acceptance": "受理告知书", "refusal": "未受理告知书", "inspection": "竣工检验意见单"}

# 时限倒计时 levels (services/countdown.py), most urgent first.
COUNTDOWN_LEVELS = {"overdue": "超期", "urgent": "今日到期", "warning": "预警", "normal": "正常", "paused": "暂停"}

# Event labels and timeline texts are defined with each event type in station_tui/store/catalogue.py.


def zh(mapping: dict[str, str], key: str | None) -> str:
    """The Chinese word for a code, or the code itself when the mapping lacks it (never a KeyError on screen)."""
    if key is None:
        return ""
    return mapping.get(key, key)
