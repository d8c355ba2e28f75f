"""待回答的问题: the kinds of question the bot can be waiting for one person to answer.

Stored as ``storage.models.AwaitingInput.kind``; the answer to each is routed by the table in
``handlers.routes``. A str enum, so the stored values are the plain words.
"""

from __future__ import annotations

from enum import Enum


class Question(str, Enum):
    draft_field = "draft_field"  # 草稿缺项: the value of one missing field
    draft_edit = "draft_edit"  # 修改草稿: the corrected fields
    draft_material = "draft_material"  # 材质确认: 「板木」 corrects an assumed material
    cancel_reason = "cancel_reason"  # 销单原因
    backorder_eta = "backorder_eta"  # 欠货交期
    case_wait_reason = "case_wait_reason"  # 等客户的原因 (the R14 clock stops)
    case_reject_reason = "case_reject_reason"  # 拒绝受理的原因
    case_resolution_reason = "case_resolution_reason"  # 不予处理的理由
