"""English messages. HTML parse mode: placeholders that carry user text are escaped by callers."""

MESSAGES: dict[str, str] = {
    # formatting
    "fmt.hours_minutes": "{h} h {m} min",
    "fmt.minutes": "{m} min",
    "fmt.weekdays": "Mon,Tue,Wed,Thu,Fri,Sat,Sun",
    "fmt.months": "Jan,Feb,Mar,Apr,May,Jun,Jul,Aug,Sep,Oct,Nov,Dec",
    "fmt.date": "{weekday}, {day} {month}",
    # commands (setMyCommands)
    "cmd.status": "Your workday: status, worked time, breaks",
    "cmd.open": "Start the day, or resume it",
    "cmd.pause": "Pause the day (take a break)",
    "cmd.resume": "Resume after a break",
    "cmd.close": "Finish the day (optionally: /close report text)",
    "cmd.link": "Link your Bitrix24 account",
    "cmd.unlink": "Unlink and delete your data",
    "cmd.language": "Change the language",
    "cmd.help": "What I can do",
    "cmd.cancel": "Cancel what you are doing",
    # start, help
    "start.unlinked": (
        "👋 Hi! I help you manage your <b>Bitrix24 workday</b> from Telegram: start, pause, "
        "resume and finish it with one tap.\n\n"
        "First, link your Bitrix24 account. Send your work e-mail like this:\n"
        "<code>/link anna@company.com</code>\n"
        "(or your Bitrix24 user id instead of the e-mail)."
    ),
    "start.linked": "👋 Hi, {name}! Here is your day:",
    "help": (
        "<b>What I can do</b>\n"
        "/status: your day, worked time and breaks\n"
        "/open: start the day, or resume it\n"
        "/pause: take a break\n"
        "/resume: back to work\n"
        "/close: finish the day (<code>/close report text</code> adds a report)\n"
        "/link: link your Bitrix24 account\n"
        "/unlink: unlink and delete your data\n"
        "/language: English or Russian\n"
        "/cancel: stop what you are doing"
    ),
    "help.admin": (
        "\n\n<b>Admin</b>\n"
        "/links: linked users\n"
        "<code>/admin_link &lt;telegram id&gt; &lt;e-mail or Bitrix24 id&gt;</code>\n"
        "<code>/admin_unlink &lt;telegram id&gt;</code>"
    ),
    "stray": "I didn't get that. Try /status, or /help to see everything I can do.",
    "group_only_private": "I work in private chats only. Please write to me directly: @{username}",
    "cancelled": "Cancelled.",
    "nothing_to_cancel": "There's nothing to cancel.",
    "not_linked": (
        "Your Telegram account isn't linked to Bitrix24 yet. Send your work e-mail like this:\n"
        "<code>/link anna@company.com</code>"
    ),
    "throttled": "Easy: one action at a time. Try again in a few seconds.",
    "stale_button": "This button is no longer active. Here is your day:",
    "unknown_button": "This button no longer works.",
    # language
    "language.choose": "Choose your language:",
    "language.set": "Language: English.",
    # linking
    "link.ask": "Send your work e-mail or your Bitrix24 user id.",
    "link.bad_identity": (
        "That doesn't look like an e-mail or a Bitrix24 user id. Example:\n"
        "<code>/link anna@company.com</code>"
    ),
    "link.code_sent": (
        "If <b>{identity}</b> belongs to an active employee, a 6-digit code is now in that "
        "person's <b>Bitrix24 notifications</b> (the bell). Send me the code here. "
        "It expires in 10 minutes."
    ),
    "link.code_message": (
        "Code to link the Telegram account {requester} to your Bitrix24 account: {code}\n"
        "It expires in 10 minutes. If you didn't ask for it, ignore this message: "
        "without the code nobody can link."
    ),
    "link.rate_limited": "Too many link attempts. Please try again in {minutes} min.",
    "link.unavailable": "Bitrix24 is not reachable right now, so no code was sent. Please try again in a minute.",
    "link.wrong_code": "That code is not right. Tries left: {tries}.",
    "link.locked": (
        "Too many wrong codes: this link attempt is locked. "
        "Start again with /link in {minutes} min."
    ),
    "link.no_attempt": "No link is in progress, or the code has expired. Start with /link.",
    "link.not_a_code": "Send the 6-digit code from your Bitrix24 notifications, or /cancel.",
    "link.done": "✅ Linked to <b>{name}</b> in Bitrix24. Here is your day:",
    "link.replaced": "Your Telegram account was unlinked from Bitrix24: the employee linked another Telegram account.",
    "link.already": "You are linked to <b>{name}</b>. To link another account, send <code>/link e-mail</code>.",
    "unlink.done": "Unlinked. Everything I stored about you is deleted.",
    "unlink.none": "You weren't linked, and I've deleted anything I stored about you.",
    # admin
    "admin.only": "This command is for the bot's admins.",
    "admin.link_usage": "Usage: <code>/admin_link &lt;telegram id&gt; &lt;e-mail or Bitrix24 id&gt;</code>",
    "admin.unlink_usage": "Usage: <code>/admin_unlink &lt;telegram id&gt;</code>",
    "admin.linked": "Linked Telegram {telegram_id} to <b>{name}</b> (Bitrix24 #{bitrix_id}).",
    "admin.no_such_user": "No active Bitrix24 employee matches {identity}.",
    "admin.unlinked": "Unlinked Telegram {telegram_id} (was Bitrix24 #{bitrix_id}) and deleted their data.",
    "admin.not_linked": "Telegram {telegram_id} is not linked.",
    "admin.links_header": "<b>Linked users: {count}</b>",
    "admin.links_row": "{telegram_id} → {name} (#{bitrix_id}){admin_mark}",
    "admin.links_by_admin": " [by admin]",
    "admin.links_empty": "Nobody is linked yet.",
    "admin.links_more": "…and {count} more.",
    "admin.unavailable": "Bitrix24 is not reachable right now. Nothing was changed.",
    # the day card
    "card.opened": "🟢 <b>Working</b>",
    "card.paused": "⏸ <b>On a break</b>",
    "card.closed": "⚪️ <b>Day finished</b>",
    "card.none": "⚪️ <b>Day not started</b>",
    "card.expired": "⚠️ <b>The day of {date} is still open</b>",
    "card.started": "Started: {time}",
    "card.started_on": "Started: {date}, {time}",
    "card.finished": "Finished: {time}",
    "card.worked": "Worked: {duration}",
    "card.breaks": "Breaks: {duration}",
    "card.on_break_since": "On a break since {time} ({duration})",
    "card.pending_approval": "⏳ Awaiting your manager's approval",
    "card.expired_help": (
        "Bitrix24 needs its finish time before you can start today. "
        "It suggests <b>{time}</b>."
    ),
    "card.expired_help_no_suggestion": "Bitrix24 needs its finish time before you can start today.",
    "card.updated": "Updated {time}",
    # buttons
    "btn.pause": "⏸ Pause",
    "btn.resume": "▶️ Resume",
    "btn.close": "🏁 Close day",
    "btn.start": "▶️ Start day",
    "btn.refresh": "🔄 Refresh",
    "btn.close_suggested": "✅ Close at {time}",
    "btn.other_time": "🕐 Other time",
    "btn.reason_forgot": "Forgot to close the day",
    "btn.cancel": "✖️ Cancel",
    # what an action did
    "change.started": "▶️ Your day has started. Have a good one!",
    "change.resumed": "▶️ Back to work.",
    "change.reopened": "▶️ Day reopened: the time since you closed it counts as a break.",
    "change.running": "▶️ Your day is running.",
    "change.already_running": "Your day is already running.",
    "change.paused": "⏸ Paused. Enjoy your break!",
    "change.already_paused": "You're already on a break.",
    "change.closed": "🏁 Day closed. Well done!",
    "change.already_closed": "Your day is already closed.",
    "change.repaired": "✅ The day of {date} is closed at {time}. You can start today now.",
    "change.nothing_to_pause": "Your day is closed, so there is nothing to pause. Start a new day?",
    "change.nothing_to_pause_none": "You haven't started a day yet, so there is nothing to pause. Start it?",
    "change.not_paused": "You're not on a break: your day is closed. Start a new day?",
    "change.not_paused_none": "You're not on a break: you haven't started a day yet. Start it?",
    "change.resumed_instead": "Bitrix24 reopened your closed day instead of pausing it. It is running now.",
    "change.needs_repair": "Your day from {date} was never closed.",
    "change.unchanged": "Bitrix24 did not change your day. Here is how it stands:",
    # action names, for failure messages
    "action.status": "status",
    "action.start": "start of the day",
    "action.resume": "resume",
    "action.pause": "pause",
    "action.close": "end of the day",
    "action.repair": "end of the day",
    # failures
    "fail.unavailable": (
        "⚠️ Bitrix24 is not reachable right now. Your {action} was <b>NOT</b> recorded. "
        "Please try again in a minute."
    ),
    "fail.unavailable_status": "⚠️ Bitrix24 is not reachable right now, so I can't show your day. Please try again in a minute.",
    "fail.unknown_outcome": (
        "⚠️ Bitrix24 didn't answer in time, so I can't tell whether your {action} was recorded. "
        "Check with /status in a minute."
    ),
    "fail.access_denied": (
        "⛔ Bitrix24 refused: the bot is not allowed to manage your workday. "
        "Nothing was recorded. Please ask your Bitrix24 administrator to check the bot's access."
    ),
    "fail.auth": (
        "⛔ The bot can't sign in to Bitrix24 right now. Nothing was recorded. "
        "Please tell your administrator."
    ),
    "fail.user_not_found": (
        "Bitrix24 doesn't know your account any more (it may have been deactivated). "
        "Nothing was recorded. Link again with /link."
    ),
    "fail.refused": "Bitrix24 refused your {action}: {description}. Nothing was changed.",
    "fail.wrong_time": "Bitrix24 refused that time. Nothing was changed.",
    "fail.report_needed": "Bitrix24 needs a reason for this change.",
    # repair flow for an EXPIRED day
    "repair.ask_time": (
        "When did you finish on {date}? Send the time like <code>18:30</code>. "
        "(That day started at {start}.)"
    ),
    "repair.bad_time": "Please send a time like <code>18:30</code>.",
    "repair.before_start": "That's before the day started ({start}). Please send a later time.",
    "repair.in_future": "That time hasn't come yet. Please send the time you actually finished.",
    "repair.ask_reason": (
        "Closing the day of {date} at <b>{time}</b>. Bitrix24 needs a reason: "
        "send it as a message, or tap below."
    ),
    "repair.reason_forgot": "Forgot to close the day",
    "repair.reason_too_long": "That's too long for Bitrix24; please keep the reason under {limit} characters.",
    "repair.stale": "That day has changed since. Here it is now:",
    "repair.cancelled": "Cancelled. The day of {date} is still open.",
    # close report
    "close.report_too_long": "The report is too long; please keep it under {limit} characters.",
    "error.unexpected": "⚠️ Something went wrong on my side. If you were changing your day, check /status: it shows what Bitrix24 recorded.",
}
