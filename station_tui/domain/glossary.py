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

EVENT_TYPES = {
    "station.initialized": "站点初始化",
    "settings.changed": "设置变更",
    "operator.created": "新增操作员",
    "operator.updated": "操作员信息变更",
    "operator.pin_changed": "操作员修改PIN",
    "operator.login": "登录",
    "operator.login_failed": "PIN错误",
    "operator.locked": "操作员锁定",
    "application.accepted": "受理申请",
    "document.collected": "补收容缺资料",
    "stage.advanced": "进入下一环节",
    "deadline.recomputed": "重算期限",
    "application.paused": "暂停",
    "application.resumed": "恢复",
    "application.terminated": "终止",
    "application.connected": "装表送电",
    "application.closed": "归档",
    "notice.issued": "出具告知书",
    "notice.reprinted": "补打告知书",
    "reservation.registered": "登记预约",
    "reservation.handled": "预约已派单/确认",
    "reservation.converted": "预约转为申请",
    "visit.refused": "未受理来访",
    "archive.filed": "归档资料登记",
    "inspection.recorded": "竣工检验",
    "ledger.imported": "导入台账",
    "holidays.entered": "录入节假日安排",
    "export.done": "导出完成",
    "export.personal_data_included": "导出含个人信息",
}


def zh(mapping: dict[str, str], key: str | None) -> str:
    """The Chinese word for a code, or the code itself when the mapping lacks it (never a KeyError on screen)."""
    if key is None:
        return ""
    return mapping.get(key, key)
