### English messages, in Telegram's HTML parse mode: keep tags and entities (&lt;) as they
### are; arguments that carry user text arrive already escaped.
### An id is the code's key in kebab case: t("card.on_break_since") shows card-on-break-since.
### Counts choose their words here, by plural category (English: one, other).

## Formatting

# Whole hours drop the minutes: "1 h", not "1 h 0 min".
fmt-hours-minutes =
    { $m ->
        [0] { $h } h
       *[other] { $h } h { $m } min
    }
fmt-minutes = { $m } min
# $weekday counts from Monday = 0 (Python's date.weekday()); the short names also label
# the day buttons of /remind.
fmt-weekday =
    { $weekday ->
        [0] Mon
        [1] Tue
        [2] Wed
        [3] Thu
        [4] Fri
        [5] Sat
       *[6] Sun
    }
# "Tue, 1 Dec": $day is the day of the month, $month counts from January = 1.
fmt-date =
    { fmt-weekday }, { $day } { $month ->
        [1] Jan
        [2] Feb
        [3] Mar
        [4] Apr
        [5] May
        [6] Jun
        [7] Jul
        [8] Aug
        [9] Sep
        [10] Oct
        [11] Nov
       *[12] Dec
    }

## Commands (setMyCommands)

cmd-status = Your workday: status, worked time, breaks
cmd-open = Start the day, or resume it
cmd-pause = Pause the day (take a break)
cmd-resume = Resume after a break
cmd-close = Finish the day (optionally: /close report text)
cmd-link = Link your Bitrix24 account
cmd-unlink = Unlink and delete your data
cmd-language = Change the language
cmd-help = What I can do
cmd-cancel = Cancel what you are doing

## Start, help

start-unlinked =
    👋 Hi! I help you manage your <b>Bitrix24 workday</b> from Telegram: start, pause, resume and finish it with one tap.

    First, link your Bitrix24 account. Send your work e-mail like this:
    <code>/link anna@company.com</code>
    (or your Bitrix24 user id instead of the e-mail).

    Your Telegram id is <code>{ $telegram_id }</code>: a bot admin can also link you with it.
start-linked = 👋 Hi, { $name }! Here is your day:
help =
    <b>What I can do</b>
    /status: your day, worked time and breaks
    /open: start the day, or resume it
    /pause: take a break
    /resume: back to work
    /close: finish the day (<code>/close report text</code> adds a report)
    /week: your week against the targets, as a chart
    /team: your team's day, if you head a department in Bitrix24
    /remind: break and forgot-to-close reminders (<code>/remind 13:00</code>, or a menu)
    /reminders: your reminders (switch off, delete)
    /timezone: the time zone your reminders use
    /updates: keep your day card in step with Bitrix24 (on or off)
    /link: link your Bitrix24 account
    /unlink: unlink and delete your data
    /language: English or Russian
    /cancel: stop what you are doing
    /myid: your Telegram id, for a bot admin
help-admin =
    {"\u000A\u000A"}<b>Admin</b>
    /links: linked users
    <code>/admin_link &lt;telegram id&gt; &lt;e-mail or Bitrix24 id&gt;</code>
    <code>/admin_unlink &lt;telegram id&gt;</code>
    <code>/admin_unlock &lt;e-mail or Bitrix24 id&gt;</code>: let an employee ask for link codes again
stray = I didn't get that. Try /status, or /help to see everything I can do.
words-unknown = I didn't get that. Here is your day; you can also just type “lunch”, “back” or “out”.
words-start-ask = Start your day? Tap the button below.
stray-not-text = I can only read text. Try /status, or /help to see everything I can do.
group-only-private = I work in private chats only. Please write to me directly: @{ $username }
cancelled = Cancelled.
nothing-to-cancel = There's nothing to cancel.
not-linked =
    Your Telegram account isn't linked to Bitrix24 yet. Send your work e-mail like this:
    <code>/link anna@company.com</code>
throttled = Too many actions at once: this one was not sent to Bitrix24. Try again in { $seconds } s.
unknown-button = This button no longer works.

## Language

language-choose = Choose your language:
language-set = Language: English.
language-set-unlinked = Language: English, for this message. I store nothing about you until you link your account, so until then I follow your Telegram app's language; after /link, choose again to keep it.

## Linking

link-ask = Send your work e-mail or your Bitrix24 user id.
link-bad-identity =
    That doesn't look like an e-mail or a Bitrix24 user id. Example:
    <code>/link anna@company.com</code>
# $kind: "email" or "id", what $identity is.
link-code-sent = If { $kind ->
        [id] Bitrix24 user <b>#{ $identity }</b> is
       *[email] <b>{ $identity }</b> belongs to
    } an active employee, a 6-digit code is now in that person's <b>Bitrix24 notifications</b> (the bell). Send me the code here. It expires in 10 minutes.
link-code-message =
    Code to link the Telegram account { $requester } to your Bitrix24 account: { $code }
    It expires in 10 minutes. If you didn't ask for it, ignore this message: without the code nobody can link.
link-rate-limited = Too many link attempts. Please try again in { $minutes } min.
link-target-limited = Too many codes were asked for <b>{ $identity }</b> in the last hour, so I sent no new one. Try again in { $minutes } min, or ask a bot admin to link you.
link-bot-refused = ⛔ The bot can't sign in to Bitrix24 right now, so no code was sent. Please tell your administrator.
link-unavailable = Bitrix24 is not reachable right now, so no code was sent. Please try again in a minute.
link-wrong-code = That code is not right. Tries left: { $tries }.
link-locked = Too many wrong codes: this link attempt is locked. Start again with /link in { $minutes } min.
link-no-attempt = No link is in progress, or the code has expired. Start with /link.
link-not-a-code = Send the 6-digit code from your Bitrix24 notifications, or /cancel.
link-done = ✅ Linked to <b>{ $name }</b> in Bitrix24. Here is your day:
link-replaced = Your Telegram account was unlinked from Bitrix24: the employee linked another Telegram account.
link-replaced-by-admin = Your Telegram account was unlinked from Bitrix24: an admin linked the employee to another Telegram account.
link-by-admin = An admin linked your Telegram account to <b>{ $name }</b> in Bitrix24. Send /status to see your day.
link-removed-by-admin = An admin unlinked your Telegram account from Bitrix24 and deleted what I stored about you.
link-already = You are linked to <b>{ $name }</b> in Bitrix24. To link a different account, send /unlink first.
unlink-confirm = Unlink <b>{ $name }</b>? I will also delete your reminders and settings. Your workday in Bitrix24 stays as it is.
btn-unlink-confirm = 🗑 Unlink
unlink-cancelled = Cancelled. You are still linked.
unlink-done = Unlinked. Everything I stored about you is deleted.
unlink-none = You weren't linked, and I've deleted anything I stored about you, except the count of your recent link attempts, which stops abuse and is gone within the hour.

## Admin

admin-only = This command is for the bot's admins.
admin-link-usage = Usage: <code>/admin_link &lt;telegram id&gt; &lt;e-mail or Bitrix24 id&gt;</code>
admin-unlink-usage = Usage: <code>/admin_unlink &lt;telegram id&gt;</code>
admin-linked = Linked Telegram { $telegram_id } to <b>{ $name }</b> (Bitrix24 #{ $bitrix_id }).
admin-notice-told = They were told in Telegram.
admin-notice-later = Telegram asked me to slow down; they will be told in a moment.
admin-notice-not-started = I couldn't tell them: they haven't started the bot yet, and Telegram doesn't let a bot write first. The link works as soon as they open the bot and press Start.
admin-notice-blocked = I couldn't tell them: they have blocked the bot. The link works once they unblock it.
admin-notice-failed = I couldn't message them just now; the link works anyway.
admin-no-such-user = No active Bitrix24 employee matches { $identity }.
admin-unlinked = Unlinked Telegram { $telegram_id } (was Bitrix24 #{ $bitrix_id }) and deleted their data.
admin-not-linked = Telegram { $telegram_id } is not linked.
admin-links-header = <b>Linked users: { $count }</b>
admin-links-row = { $name } (Bitrix24 #{ $bitrix_id }) · Telegram <code>{ $telegram_id }</code>{ $admin_mark }
admin-links-by-admin = {" "}[by admin]
admin-move-header = Link Telegram <code>{ $telegram_id }</code> to <b>{ $name }</b> (Bitrix24 #{ $bitrix_id })?
admin-move-employee = • { $name } is linked to Telegram <code>{ $telegram_id }</code> now: that account will be unlinked and its reminders and settings deleted.
admin-move-account = • Telegram <code>{ $telegram_id }</code> is linked to { $name } (Bitrix24 #{ $bitrix_id }) now: that link will be replaced.
admin-move-question = Both accounts are told. Go ahead?
btn-admin-move = ✅ Move link
admin-move-cancelled = Cancelled. Nothing was changed.
myid = Your Telegram id: <code>{ $telegram_id }</code>
admin-links-empty = Nobody is linked yet.
admin-unlock-usage = Usage: <code>/admin_unlock &lt;e-mail or Bitrix24 id&gt;</code>
admin-unlocked = <b>{ $name }</b> (Bitrix24 #{ $bitrix_id }) can ask for link codes again.
admin-link-abuse =
    ⚠️ Link codes for <b>{ $name }</b> (Bitrix24 #{ $bitrix_id }) were asked for { $codes ->
        [one] { $codes } time
       *[other] { $codes } times
    } in the last hour by { $accounts ->
        [one] { $accounts } Telegram account
       *[other] { $accounts } Telegram accounts
    }, so I refuse new ones for { $minutes } min. If not all of them were the employee, someone may be trying to link to their account. To let them link now: <code>/admin_unlock { $bitrix_id }</code>, or link them yourself with /admin_link.
admin-links-page = Page { $page } of { $pages }.
admin-links-next = Next page: /links { $next }
admin-links-no-page = There is no page “{ $page }”: the list has { $pages }. Try /links 1.
admin-unavailable = Bitrix24 is not reachable right now. Nothing was changed.

## The day card

card-opened = 🟢 <b>Working</b>
card-paused = ⏸ <b>On a break</b>
card-closed = ⚪️ <b>Day finished</b>
card-none = ⚪️ <b>Day not started</b>
card-expired = ⚠️ <b>The day of { $date } is still open</b>
card-started = Started: { $time }
card-started-on = Started: { $date }, { $time }
card-finished = Finished: { $time }
card-finished-on = Finished: { $date }, { $time }
# An EXPIRED day: Bitrix24 does not know when it ended; this is what its suggestion records.
card-expired-worked = Worked, if closed at { $time }: { $duration }
card-worked = Worked: { $duration }
card-breaks = Breaks: { $duration }
card-on-break-since = On a break since { $time } ({ $duration })
# The day's minimum (UF_TM_MIN_DURATION or the schedule's), breaks so far included.
# $day: today | tomorrow (a day begun in the evening reaches its minimum after midnight)
card-done-at = 🏁 Done at { $day ->
        [tomorrow] { $time } tomorrow
       *[today] { $time }
    } ({ $target })
card-done-in = 🏁 { $duration } to go for { $target }
card-done-short = 🏁 Closed { $duration } short of { $target }
card-done-reached = ✅ { $target } done at { $time }
card-pending-approval = ⏳ Awaiting your manager's approval
card-expired-help = Bitrix24 needs its finish time before you can start today. It suggests <b>{ $time }</b>.
card-expired-help-no-suggestion = Bitrix24 needs its finish time before you can start today.
card-updated = Updated { $time }

## Buttons

btn-pause = ⏸ Pause
btn-resume = ▶️ Resume
btn-close = 🏁 Close day
btn-start = ▶️ Start day
btn-refresh = 🔄 Refresh
btn-retry = 🔁 Try again
btn-close-suggested = ✅ Close at { $time }
btn-other-time = 🕐 Other time
btn-reason-forgot = Forgot to close the day
btn-cancel = ✖️ Cancel
# Closing from the card: asked first, since Bitrix24 takes a report only with the close.
btn-close-now = 🏁 Close now
btn-close-with-report = 📝 With report
btn-undo-close = ↩️ Undo close
# On a closed day that Bitrix24 reopens: the gap becomes a break (Bitrix24 says "Continue").
btn-continue-day = ▶️ Continue the day

## What an action did

change-started = ▶️ Your day has started. Have a good one!
change-resumed = ▶️ Back to work.
change-reopened = ▶️ The day continues; the time since you closed counts as a break.
change-running = ▶️ Your day is running.
change-already-running = Your day is already running.
change-paused = ⏸ Paused. Enjoy your break!
change-already-paused = You're already on a break.
change-closed = 🏁 Day closed. Well done!
change-closed-with-report =
    🏁 Day closed. Well done!
    📝 Your report is saved in Bitrix24 with the day.
change-undone = ↩️ Close undone: your day continues. The time since you closed counts as a break.
change-undo-too-late = It's too late to undo the close. You can still continue the day.
change-already-closed = Your day is already closed.
change-repaired = ✅ The day of { $date } is closed at { $time }. You can start today now.
change-nothing-to-pause = Your day is closed, so there is nothing to pause.
change-nothing-to-pause-none = You haven't started a day yet, so there is nothing to pause. Start it?
change-not-paused = You're not on a break: your day is closed.
change-not-paused-none = You're not on a break: you haven't started a day yet. Start it?
change-resumed-instead = Bitrix24 reopened your closed day instead of pausing it. It is running now.
change-needs-repair = Your day from { $date } was never closed.
change-unchanged = Bitrix24 did not change your day. Here is how it stands:
change-stale = This button is from a card of another day, so nothing was sent to Bitrix24. Here is your day now:

## Failures

# $action is the action's code: start, resume, pause, close, repair (an EXPIRED day's close).
fail-unavailable = ⚠️ Bitrix24 is not reachable right now. I could <b>not</b> { $action ->
        [start] start your day
        [resume] resume your day
        [pause] pause your day
        [repair] close that day
        [undo] undo the close
       *[close] close your day
    }: nothing was recorded. Please try again in a minute.
fail-unavailable-status = ⚠️ Bitrix24 is not reachable right now, so I can't show your day. Please try again in a minute.
fail-unknown-outcome = ⚠️ Bitrix24 didn't answer in time, so I can't tell whether { $action ->
        [start] your day was started
        [resume] your day was resumed
        [pause] your day was paused
        [repair] that day was closed
        [undo] the close was undone
       *[close] your day was closed
    }. Check with /status in a minute.
fail-access-denied = ⛔ Bitrix24 refused: the bot is not allowed to manage your workday. Nothing was recorded. Please ask your Bitrix24 administrator to check the bot's access.
fail-auth = ⛔ The bot can't sign in to Bitrix24 right now. Nothing was recorded. Please tell your administrator.
fail-user-not-found = Bitrix24 doesn't know your account any more (it may have been deactivated). Nothing was recorded. Link again with /link.
fail-refused = Bitrix24 refused to { $action ->
        [start] start your day
        [resume] resume your day
        [pause] pause your day
        [repair] close that day
        [undo] undo the close
       *[close] close your day
    }: { $description }. Nothing was changed.
fail-wrong-time = Bitrix24 refused that time. Nothing was changed.
fail-report-needed = Bitrix24 needs a reason for this change.

## Repair flow for an EXPIRED day

repair-ask-time = When did you finish on { $date }? Send the time like <code>18:30</code>. (That day started at { $start }.)
repair-bad-time = Please send a time like <code>18:30</code>.
repair-before-start = That's before the day started ({ $start }). Please send a later time.
repair-in-future = That time hasn't come yet. Please send the time you actually finished.
repair-ask-reason = Closing the day of { $date } at <b>{ $time }</b>. Bitrix24 needs a reason: send it as a message, or tap below.
repair-reason-forgot = Forgot to close the day
repair-reason-too-long =
    That's too long for Bitrix24; please keep the reason under { $limit ->
        [one] { $limit } character
       *[other] { $limit } characters
    }.
repair-stale = That day has changed since. Here it is now:
repair-cancelled = Cancelled. The day of { $date } is still open.

## "I left at…": today's day closed at an earlier time

left-ask-time = When did you leave today? Send the time like <code>17:45</code>: after { $start }, when the day started, and not later than now ({ $now }).
left-ask-reason = Closing today's day at <b>{ $time }</b>. Bitrix24 needs a reason for the changed time: send it as a message, or tap below.

## Close report

close-ask = 🏁 Close your day now? Bitrix24 takes a report of the day only with the close, so if you want to write one, choose “With report”.
close-ask-report =
    📝 Send your report of the day as a message (up to { $limit ->
        [one] { $limit } character
       *[other] { $limit } characters
    }). I'll close the day with it.
close-report-too-long =
    The report is too long; please keep it under { $limit ->
        [one] { $limit } character
       *[other] { $limit } characters
    }.
error-unexpected = ⚠️ Something went wrong on my side. If you were changing your day, check /status: it shows what Bitrix24 recorded.

## Reminders: what the engine sends

btn-pause-now = ⏸ Pause now
btn-snooze-in = { $minutes } min
btn-more-break = ⏰ 5 more min
btn-close-later = ⏰ In { $hours } h
btn-left-at = 🕔 I left at…
btn-skip = ✖️ Skip
notice-ask =
    🍽 It's { $time }: time for a break!
    Not now? Tap 5, 10 or 15 min below, and I'll ask again then.
notice-auto-paused = ⏸ { $time }: break time. I paused your day.
notice-will-remind = I'll remind you to come back at { $time }.
notice-will-resume = I'll resume your day at { $time }.
notice-break-over = ⏰ Your { $minutes }-minute break is over.
notice-still-on-break = ⏰ Still on a break? Your day is still paused.
notice-auto-resumed = ▶️ Your { $minutes }-minute break is over: I resumed your day.
notice-auto-pause-failed = ⏰ Break reminder ({ $time }): I couldn't pause your day.
notice-auto-resume-failed = ⏰ Your break is over, but I couldn't resume your day.
notice-close-nudge = 🌙 It's { $time } and your day is still open. Close it, tap 🕔 if you left earlier, or ⏰ if you're still working.
notice-morning-repair = 🌅 Good morning! The day of { $date } was never closed.
notice-late-start = ⏰ It's { $time } and your day hasn't started yet.
# The day's minimum in whole hours and minutes: "8 h", "7 h 30 min".
notice-goal-reached =
    🎯 You've done your { $minutes ->
        [0] { $hours } h
       *[other] { $hours } h { $minutes } min
    }: finish, or keep going?
btn-keep-working = 💪 Keep going
# The weekly summary's heading (the week itself is drawn by /week's view).
notice-weekly-summary = 📊 Your week so far
nudge-kept = 💪 Keep going! I won't ask again today: close the day with /close when you're done.
nudge-kept-closed = 🏁 Your day is already closed. /status shows it.
remind-snoozed = ⏰ OK, I'll remind you again at { $time }.
remind-more-break = ⏰ OK, 5 more minutes: I'll remind you at { $time }.
remind-close-later = ⏰ OK, I'll check your day again at { $time }.
remind-skipped = Skipped this break. Back to work!
remind-gone = This reminder no longer exists.
remind-break-timer = I'll remind you to come back at { $time }.

## Reminders: /remind, /reminders (the UI)

cmd-remind = Set a break or end-of-day reminder
cmd-reminders = Your reminders: switch off, delete
cmd-timezone = Your time zone for reminders
cmd-week = Your week: worked time against the targets

remind-parse-unknown =
    I didn't understand “{ $token }”. Examples:
    <code>/remind 13:00</code>
    <code>/remind 13:00 auto 45m</code>
    <code>/remind 12:30 mon,wed,fri</code>
    <code>/remind close 18:30</code>
    Or send /remind alone for a menu.
remind-parse-no-time = Which time? Send it like <code>/remind 13:00</code>, or /remind alone for a menu.
remind-parse-break-length =
    A break can last from 1 to { $limit ->
        [one] { $limit } minute
       *[other] { $limit } minutes
    }, e.g. <code>/remind 13:00 45m</code>.
remind-parse-break-only = Mode and break length are for break reminders only. A check takes a time and days, e.g. <code>/remind close 18:30</code>.
remind-menu =
    ⏰ <b>Reminders</b>
    What would you like to set up? Your time zone: { $zone }.
btn-rem-new = 🍽 New break
btn-rem-close = 🌙 Close check
btn-rem-list = 📋 Reminders
btn-rem-tz = 🌍 Time zone
btn-rem-other-time = 🕐 Other time…
btn-rem-next = Next →
btn-rem-ask = 🙋 Ask me
btn-rem-auto = ⏸ Auto-pause
btn-rem-no-break = No set length
btn-rem-resume-remind = 🔔 Remind me to resume
btn-rem-resume-auto = ▶️ Resume automatically
btn-rem-delete-yes = 🗑 Delete?
btn-rem-keep = ↩️ Keep
remind-ask-time =
    🍽 <b>New break reminder</b>
    At what time? (time zone { $zone })
remind-type-time = Send the time like <code>12:45</code> (24-hour clock), or tap Cancel.
remind-bad-time = That's not a time I understand. Send it like <code>12:45</code>, or /cancel.
remind-ask-days =
    🍽 Break at <b>{ $time }</b>
    On which days? Tap a day to switch it on or off.
remind-no-days = Choose at least one day.
remind-ask-mode =
    🍽 Break at <b>{ $time }</b>, { $days }
    When it's time, should I…
    • <b>ask you</b>: a message with [Pause now] [Skip] and [5] [10] [15 min]
    • <b>auto-pause</b>: I pause your day and tell you, with a [Resume] button
remind-ask-length =
    🍽 Break at <b>{ $time }</b>, { $days }, { $mode }
    How long is your break? When it's over, I'll tell you.
remind-ask-resume =
    🍽 Break at <b>{ $time }</b>, { $days }, { $mode }
    When the { $minutes }-minute break is over:
remind-close-ask-time =
    🌙 <b>Forgot-to-close check</b>
    At what time in the evening should I check your day? If it is still open or paused then, I'll remind you to finish it. (time zone { $zone })
remind-expired = This menu has expired. Start again with /remind.
remind-already-saved = Already saved.
remind-cancelled = Cancelled. No reminder was created.
remind-limit =
    You already have { $limit ->
        [one] { $limit } reminder
       *[other] { $limit } reminders
    }, the most I keep. Delete one in /reminders first.
remind-limit-close =
    A forgot-to-close check comes with a morning check, so it needs two free places; you have { $count } of { $limit ->
        [one] { $limit } reminder
       *[other] { $limit } reminders
    }. Delete one in /reminders first.
remind-saved = ✅ <b>Reminder saved</b>
remind-name-break = break
remind-name-close = forgot-to-close check
remind-name-morning = morning check
remind-name-late-start = not-started nudge
remind-name-goal = goal nudge
remind-name-weekly = weekly summary
remind-days-every = every day
remind-mode-ask = ask me
remind-mode-auto = pause automatically
remind-length-remind = { $minutes } min break, then remind me
remind-length-resume = { $minutes } min break, then resume automatically
remind-explain-ask = At that time you'll get a message with [Pause now] [Skip] and [5] [10] [15 min].
remind-explain-auto = At that time I'll pause your day and tell you, with a [Resume] button.
remind-explain-close = It fires only while your day is still open or paused.
remind-explain-morning = If a day was left open, I'll help you close it in the morning.
remind-also-morning = 🌅 Also a morning check at <b>{ $time }</b>: if a day was left open, I'll help you close it.
remind-next = Next: { $when } ({ $zone }).
remind-today = today at { $time }
remind-tomorrow = tomorrow at { $time }
remind-on-date = { $date } at { $time }
reminders-title = 📋 <b>Your reminders</b> (time zone { $zone })
reminders-empty =
    You have no reminders yet. Create one with a tap below, or type it:
    <code>/remind 13:00</code>, <code>/remind 13:00 auto 45m</code>, <code>/remind close 18:30</code>.
reminders-on = 🔔 on
reminders-on-next = 🔔 on, next { $when }
reminders-off = 🔕 off
reminders-switched-on = 🔔 Switched on.
reminders-switched-off = 🔕 Switched off.
reminders-deleted = 🗑 Deleted.
reminders-confirm-delete = 🗑 Delete this reminder? Tap «Delete?» to confirm, or «Keep».
remind-duplicate = You already have this reminder, so I didn't add it again:
reminders-not-found = ⚠️ That reminder doesn't exist, or isn't yours. Nothing was changed.
nudges-title = 🧭 <b>Nudges</b> from your Bitrix24 schedule: tap one to switch it on or off.
nudge-late-start = Not started by { $time }
nudge-late-start-flextime = Not started: flextime
nudge-goal = { $duration } reached
nudge-weekly = Weekly summary, { $day } { $time }

## Time zone

tz-current =
    🌍 Your time zone: <b>{ $zone }</b>, { $source }.
    It's { $time } there now. Reminders fire in this zone.
tz-source-bitrix24 = from your Bitrix24 profile
tz-source-user = chosen by you
tz-source-default = the bot's default
tz-how = To change it, send its name, e.g. <code>/timezone Europe/Berlin</code>.
btn-tz-bitrix24 = 🔄 Use my Bitrix24 time zone
tz-unknown = I don't know the time zone “{ $zone }”. Send its name from the tz database, e.g. <code>/timezone Europe/Berlin</code> or <code>/timezone America/New_York</code>.
tz-changed = ✅ Time zone changed.
tz-unchanged = Your time zone stays the same.
tz-moved = ⏰ Your reminders moved with it: they fire at the same local times in the new zone.
tz-bitrix24-none = Your Bitrix24 profile has no time zone of its own, so I use the bot's default.
tz-bitrix24-failed = ⚠️ I couldn't read your time zone from Bitrix24 right now. Nothing was changed; please try again in a minute.
tz-bitrix24-no-user = Bitrix24 doesn't find your account as an active employee. Nothing was changed.

## The week (/week): the caption of its chart, its text fallback, the chart's words

btn-week = 📊 Week
btn-week-prev = ◀ Earlier
btn-week-this = This week
btn-week-next = Later ▶
week-unavailable = ⚠️ Bitrix24 is not answering, so I can't tell your targets right now. Nothing was changed. Try again in a minute.
week-today-unknown = ⚠️ Today's day could not be read from Bitrix24: the week shows what I knew before.

week-title = 📅 <b>Week: { $first } – { $last }</b>
week-worked = Worked <b>{ $worked }</b> of { $target }
week-worked-no-target = Worked <b>{ $worked }</b>
week-target-only = Target: <b>{ $target }</b>
week-no-target = No minimum is set for you this week.
# $balance is signed: "+40 min", "−1 h 5 min".
week-balance-so-far = Balance so far: <b>{ $balance }</b>
week-balance = Balance: <b>{ $balance }</b>
week-done-at = Today's minimum: done at <b>{ $time }</b>{ $day ->
        [tomorrow] {" "}tomorrow
       *[today] {""}
    }, { $remaining } to go.
week-done-paused = Today's minimum: { $remaining } to go after the break.
week-done-reached = ✅ Today's minimum reached at { $time }.
week-done-reached-plain = ✅ Today's minimum reached.
week-done-short = Today was closed { $remaining } short of the minimum.
week-today-not-started = Today isn't started yet: { $target } to work.
week-left-open = ⚠️ { $date }: the day is still open in Bitrix24 and counts as 0 until it is closed with its end time (/status).
week-unapproved =
    ⏳ { $count ->
        [one] 1 day awaits
       *[other] { $count } days await
    } your supervisor's approval.
week-missed =
    { $count ->
        [one] No record on 1 work day.
       *[other] No record on { $count } work days.
    }
# One line per day in the text fallback: "Mon, 1 Jun — 8 h 30 min of 8 h".
week-of-target = { $worked } of { $target }
week-target-day = target { $target }
week-day-off = day off
week-state-running = in progress
week-state-paused = on a break
week-state-left-open = not closed, counts as 0
week-state-not-worked = no record
week-state-untracked = before you linked the bot
week-untracked = { $count ->
        [one] 1 work day before you linked the bot is not counted in the balance.
       *[other] { $count } work days before you linked the bot are not counted in the balance.
    }
week-state-today-not-started = not started yet
week-state-unapproved = awaiting approval
# The chart: short words, drawn large. $balance is a signed h:mm ("+0:40").
week-chart-range = { $first } – { $last }
week-chart-totals = { $worked } of { $target }
week-chart-target-only = target { $target }
week-chart-balance = balance { $balance }
week-chart-hours = hours
week-chart-reached = target met
week-chart-below = below target
week-chart-running = today
week-chart-open = not closed
week-chart-target = target
## /team: a department head's view of their people's day
cmd-team = Your team's day (department heads)
btn-team-departments = 🏢 Departments
team-header = 👥 <b>{ $name }</b> · { $count ->
        [one] 1 person
       *[other] { $count } people
    }
team-page = (page { $page } of { $pages })
team-state-working = 🟢 <b>Working: { $count }</b>
team-state-on-break = ☕ <b>On a break: { $count }</b>
team-state-finished = ✅ <b>Finished: { $count }</b>
team-state-not-started = ⏳ <b>Not started: { $count }</b>
team-state-left-open = ⚠️ <b>Left open from an earlier day: { $count }</b>
team-state-unknown = ❔ <b>No answer from Bitrix24: { $count }</b>
team-line-working = • { $name }: since { $since }, { $worked }
team-line-on-break = • { $name }: on a break for { $duration } (since { $since })
team-line-on-break-unknown = • { $name }
team-line-finished = • { $name }: { $worked }
team-line-left-open = • { $name }: open since { $date }
team-line-plain = • { $name }
team-not-linked = 🔗 Not linked to the bot: { $count } (their day is not shown)
team-not-a-head = 👥 /team shows the day of the departments you head in Bitrix24. You don't head one, so there is nothing to show.
team-pick = 🏢 Which department?
team-unavailable = ⚠️ Bitrix24 is not answering, so I can't show your team right now. Try again in a minute.
btn-team-digest-off = ⏰ Daily digest: off
btn-team-digest-on = ⏰ Daily digest: { $time }
btn-team-digest-none = Off ✅
btn-team-digest-stop = Switch off
btn-team-evening-on = ✅ Evening list at { $time }
btn-team-evening-off = ⬜ Evening list at { $time }
btn-team-back = ◀ Back to the team
btn-team-ask-to-close = 📣 Ask them to close their day
team-digest-about = ⏰ <b>Daily digest</b>: this summary every work day at the time you choose (in your time zone). The evening list shows who still works or left a day open, with a button to ask them to close it.
team-digest-set = ⏰ <b>Daily digest</b> at { $time } on work days. The evening list shows who still works or left a day open, with a button to ask them to close it.
team-asked-already = 📣 You already asked them today.
team-your-manager = Your manager
team-asked-to-close = 🌙 { $manager } asks you to close your workday in Bitrix24. Send /status to see it and close it.
team-asked = { $count ->
        [0] 📣 Nobody could be asked: no one with a day still open uses the bot.
        [one] 📣 Asked 1 person to close their day:
       *[other] 📣 Asked { $count } people to close their day:
    }
team-digest-more = …and { $count ->
        [one] 1 more department
       *[other] { $count } more departments
    }: /team
notice-team-digest = 👥 <b>Your team today</b>
notice-team-evening = 🌙 <b>Still open: { $count }</b>
remind-name-team-digest = team digest
remind-name-team-evening = team evening list

## /updates: the day card follows changes made in Bitrix24 itself

cmd-updates = Keep the day card in step with Bitrix24
updates-on =
    🔄 <b>Card updates are on.</b>
    When your day changes in Bitrix24 itself (in the browser or the mobile app), I update your last day card here within a few minutes.
updates-off =
    <b>Card updates are off.</b>
    Your day card changes only when you use it here. Tap 🔄 Refresh on it to see what Bitrix24 says.
btn-updates-off = Turn off
btn-updates-on = Turn on
