"""简体中文 — the source catalogue. Keys are grouped by feature."""

TEXTS: dict[str, str] = {
    # People and roles
    "role.sales": "导购",
    "role.clerk": "跟单员",
    "role.store_manager": "店长",
    "role.manager": "主管",
    "role.admin": "管理员",
    "onboarding.stranger": (
        "您好！这里是跟单助手，只为本公司登记在册的员工服务。\n"
        "请向管理员索取邀请码，然后发送：/start 邀请码"
    ),
    "onboarding.short": "您还没有登记，请先向管理员索取邀请码。",
    "start.registered": "登记成功：{name}，身份：{role}，门店：{store}。",
    "start.already": "您已登记：{name}（{role}）。发送 /help 查看可用命令。",
    "invite.unknown": "这个邀请码不存在，请核对后重发，或向管理员重新索取。",
    "invite.used": "这个邀请码已经用过了，每个邀请码只能用一次。请向管理员重新索取。",
    "invite.expired": "这个邀请码已过期，请向管理员重新索取。",
    "invite.usage": "用法：/invite 身份 [门店代码]\n身份可选：{roles}\n例如：/invite sales S1",
    "invite.needs_store": "{role}必须属于一个门店：/invite 身份 门店代码（门店列表见 /stores）",
    "invite.created": (
        "已生成邀请（{role}，门店：{store}），{hours} 小时内有效，只能用一次：\n"
        "邀请码：{code}\n链接：{link}\n"
        "请把链接发给对方；或让对方给机器人发送：/start {code}"
    ),
    "store.unknown": "没有门店代码为 {code} 的门店。发送 /stores 查看门店，或 /stores add 代码 名称 新建。",
    "store.usage": "用法：/stores add 门店代码 门店名称，例如：/stores add S3 天河店",
    "store.exists": "门店代码 {code} 已存在。",
    "store.created": "已新建门店：{code} — {name}",
    "store.none": "还没有门店。新建：/stores add 门店代码 门店名称",
    "store.list_header": "门店：",
    "whoami": "姓名：{name}\n身份：{role}\n门店：{store}\n语言：{language}\nTelegram ID：{telegram_id}",
    "whoami.no_store": "（无）",
    "lang.usage": "当前语言：{current}。用法：/lang 语言，可选：{allowed}",
    "lang.set": "好的，以后用简体中文回复您。",
    "users.header": "已登记人员（{count}）：",
    "users.inactive": "（已停用）",
    # Help
    "help.header": "您的身份：{role}。可用命令：",
    "help.start": "登记（用邀请码）",
    "help.help": "查看可用命令",
    "help.whoami": "查看我的登记信息",
    "help.lang": "切换语言：zh-CN / zh-TW / en",
    "help.invite": "生成邀请码：/invite 身份 [门店]",
    "help.stores": "门店列表；/stores add 代码 名称 新建门店",
    "help.users": "已登记人员列表",
    "help.footer.sales": "下单：直接发一条文字消息，写明客户、电话、产品（实木/板木）、数量、送货日期、地址、付款方式。",
    "help.footer.clerk": "订单卡片上的按钮可推进订单状态。",
    "help.footer.store_manager": "本店的到货和欠货消息会自动发给您。",
    "help.footer.manager": "提醒、升级和罚款待批会自动发给您。",
    "help.footer.admin": "先用 /stores add 建门店，再用 /invite 邀请同事。",
    # Errors and fallbacks
    "command.unknown": "没有 {command} 这个命令。发送 /help 查看可用命令。",
    "error.command_not_for_role": "{command} 不是您的身份可以用的命令。发送 /help 查看可用命令。",
    "error.not_allowed": "您没有权限做这个操作。",
    "button.expired": "这个按钮已失效，请重新操作。",
    "error.internal": "抱歉，处理这条消息时出错了。您的原始消息已保存（编号 {ref}），请稍后重发或联系跟单员。",
}
