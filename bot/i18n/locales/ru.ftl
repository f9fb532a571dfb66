### Русские сообщения, в HTML-разметке Telegram: теги и сущности (&lt;) оставляйте как есть;
### аргументы с текстом пользователя приходят уже экранированными.
### Идентификатор: ключ из кода через дефисы, t("card.on_break_since") -> card-on-break-since.
### Числа выбирают форму слова здесь: one (1, 21, 31…), few (2–4, 22–24…), many (5–20, 25–30…).

## Formatting

# Whole hours drop the minutes: "1 ч", not "1 ч 0 мин".
fmt-hours-minutes =
    { $m ->
        [0] { $h } ч
       *[other] { $h } ч { $m } мин
    }
fmt-minutes = { $m } мин
# $weekday counts from Monday = 0 (Python's date.weekday()); the short names also label
# the day buttons of /remind.
fmt-weekday =
    { $weekday ->
        [0] пн
        [1] вт
        [2] ср
        [3] чт
        [4] пт
        [5] сб
       *[6] вс
    }
# "вт, 1 дек": $day is the day of the month, $month counts from January = 1; the
# month is in the genitive ("1 мая").
fmt-date =
    { fmt-weekday }, { $day } { $month ->
        [1] янв
        [2] фев
        [3] мар
        [4] апр
        [5] мая
        [6] июн
        [7] июл
        [8] авг
        [9] сен
        [10] окт
        [11] ноя
       *[12] дек
    }

## Commands (setMyCommands)

cmd-status = Рабочий день: статус, отработано, перерывы
cmd-open = Начать день или продолжить его
cmd-pause = Поставить день на паузу (перерыв)
cmd-resume = Вернуться к работе после перерыва
cmd-close = Завершить день (можно: /close текст отчёта)
cmd-link = Привязать аккаунт Битрикс24
cmd-unlink = Отвязать и удалить мои данные
cmd-language = Сменить язык
cmd-help = Что я умею
cmd-cancel = Отменить текущее действие

## Start, help

start-unlinked =
    👋 Привет! Я помогаю вести <b>рабочий день в Битрикс24</b> из Telegram: начать, поставить на паузу, продолжить и завершить — одним нажатием.

    Сначала привяжите аккаунт Битрикс24. Отправьте рабочую почту так:
    <code>/link anna@company.com</code>
    (или ваш ID пользователя в Битрикс24 вместо почты).

    Ваш Telegram ID: <code>{ $telegram_id }</code> — по нему вас может привязать и администратор бота.
start-linked = 👋 Привет, { $name }! Ваш рабочий день:
help =
    <b>Что я умею</b>
    /status — рабочий день, отработанное время и перерывы
    /open — начать день или продолжить его
    /pause — перерыв
    /resume — вернуться к работе
    /close — завершить день (<code>/close текст отчёта</code> добавит отчёт)
    /week — ваша неделя и норма, графиком
    /team — день вашей команды, если вы руководите отделом в Битрикс24
    /remind — напоминания о перерыве и о незакрытом дне (<code>/remind 13:00</code> или меню)
    /reminders — ваши напоминания: выключить, удалить
    /timezone — часовой пояс для напоминаний
    /updates — обновлять карточку дня по данным Битрикс24 (вкл. или выкл.)
    /link — привязать аккаунт Битрикс24
    /unlink — отвязать и удалить ваши данные
    /language — русский или английский
    /cancel — отменить текущее действие
    /myid — ваш Telegram ID, для администратора бота
help-admin =
    {"\u000A\u000A"}<b>Администратору</b>
    /links — привязанные пользователи
    <code>/admin_link &lt;telegram id&gt; &lt;почта или ID в Битрикс24&gt;</code>
    <code>/admin_unlink &lt;telegram id&gt;</code>
    <code>/admin_unlock &lt;почта или ID в Битрикс24&gt;</code> — снова разрешить сотруднику запрашивать коды привязки
stray = Не понял. Попробуйте /status или /help — там всё, что я умею.
words-unknown = Не понял. Вот ваш рабочий день; можно писать и словами: «обед», «вернулся», «ушёл».
words-start-ask = Начать рабочий день? Нажмите кнопку ниже.
stray-not-text = Я понимаю только текст. Попробуйте /status или /help — там всё, что я умею.
group-only-private = Я работаю только в личных сообщениях. Напишите мне напрямую: @{ $username }
cancelled = Отменено.
nothing-to-cancel = Отменять нечего.
not-linked =
    Ваш Telegram ещё не привязан к Битрикс24. Отправьте рабочую почту так:
    <code>/link anna@company.com</code>
throttled = Слишком много действий подряд: это не отправлено в Битрикс24. Повторите через { $seconds } с.
unknown-button = Эта кнопка больше не работает.

## Language

language-choose = Выберите язык:
language-set = Язык: русский.
language-set-unlinked = Язык: русский — для этого сообщения. Пока аккаунт не привязан, я ничего о вас не храню и говорю на языке вашего приложения Telegram; после /link выберите язык снова, и я его запомню.

## Linking

link-ask = Отправьте рабочую почту или ваш ID пользователя в Битрикс24.
link-bad-identity =
    Это не похоже на почту или ID пользователя Битрикс24. Пример:
    <code>/link anna@company.com</code>
# $kind: "email" или "id" — что такое $identity.
link-code-sent = Если { $kind ->
        [id] сотрудник с ID <b>{ $identity }</b>
       *[email] сотрудник с почтой <b>{ $identity }</b>
    } работает в компании, в его <b>уведомлениях Битрикс24</b> (колокольчик) уже есть 6-значный код. Пришлите этот код сюда: он действует 10 минут.
link-code-message =
    Код для привязки Telegram-аккаунта { $requester } к вашему Битрикс24: { $code }
    Код действует 10 минут. Если вы его не запрашивали, просто проигнорируйте сообщение: без кода привязать аккаунт нельзя.
link-rate-limited = Слишком много попыток привязки. Попробуйте через { $minutes } мин.
link-target-limited = Для <b>{ $identity }</b> за последний час запросили слишком много кодов, поэтому новый я не отправил. Попробуйте через { $minutes } мин. или попросите администратора бота привязать вас.
link-bot-refused = ⛔ Бот сейчас не может войти в Битрикс24, поэтому код не отправлен. Сообщите администратору.
link-unavailable = Битрикс24 сейчас недоступен, код не отправлен. Попробуйте через минуту.
link-wrong-code = Код неверный. Осталось попыток: { $tries }.
link-locked = Слишком много неверных кодов: эта попытка заблокирована. Начните заново с /link через { $minutes } мин.
link-no-attempt = Привязка не начата или код истёк. Начните с /link.
link-not-a-code = Пришлите 6-значный код из уведомлений Битрикс24 или /cancel.
link-done = ✅ Готово: вы привязаны к сотруднику <b>{ $name }</b> в Битрикс24. Ваш рабочий день:
link-replaced = Ваш Telegram отвязан от Битрикс24: сотрудник привязал другой Telegram-аккаунт.
link-replaced-by-admin = Ваш Telegram отвязан от Битрикс24: администратор привязал сотрудника к другому Telegram-аккаунту.
link-by-admin = Администратор привязал ваш Telegram к сотруднику <b>{ $name }</b> в Битрикс24. Отправьте /status, чтобы увидеть свой день.
link-removed-by-admin = Администратор отвязал ваш Telegram от Битрикс24 и удалил всё, что я о вас хранил.
link-already = Вы уже привязаны к сотруднику <b>{ $name }</b> в Битрикс24. Чтобы привязать другой аккаунт, сначала отправьте /unlink.
unlink-confirm = Отвязать <b>{ $name }</b>? Вместе с привязкой я удалю ваши напоминания и настройки. Рабочий день в Битрикс24 останется как есть.
btn-unlink-confirm = 🗑 Отвязать
unlink-cancelled = Отменено. Привязка осталась.
unlink-done = Отвязано. Всё, что я хранил о вас, удалено.
unlink-none = Вы не были привязаны; всё, что я хранил о вас, удалено, кроме счётчика недавних попыток привязки: он защищает от злоупотреблений и сам исчезнет в течение часа.

## Admin

admin-only = Эта команда — для администраторов бота.
admin-link-usage = Формат: <code>/admin_link &lt;telegram id&gt; &lt;почта или ID в Битрикс24&gt;</code>
admin-unlink-usage = Формат: <code>/admin_unlink &lt;telegram id&gt;</code>
admin-linked = Telegram { $telegram_id } привязан к <b>{ $name }</b> (Битрикс24 #{ $bitrix_id }).
admin-notice-told = Пользователю отправлено сообщение в Telegram.
admin-notice-later = Telegram попросил подождать — пользователь получит сообщение чуть позже.
admin-notice-not-started = Сообщить пользователю не удалось: он ещё не запускал бота, а первым бот писать не может. Привязка заработает, как только он откроет бота и нажмёт «Запустить».
admin-notice-blocked = Сообщить пользователю не удалось: он заблокировал бота. Привязка заработает, когда он его разблокирует.
admin-notice-failed = Сейчас не получилось написать пользователю, но привязка уже работает.
admin-no-such-user = Нет активного сотрудника Битрикс24 для { $identity }.
admin-unlinked = Telegram { $telegram_id } отвязан (был Битрикс24 #{ $bitrix_id }), его данные удалены.
admin-not-linked = Telegram { $telegram_id } не привязан.
admin-links-header = <b>Привязано пользователей: { $count }</b>
admin-links-row = { $name } (Битрикс24 #{ $bitrix_id }) · Telegram <code>{ $telegram_id }</code>{ $admin_mark }
admin-links-by-admin = {" "}[админом]
admin-move-header = Привязать Telegram <code>{ $telegram_id }</code> к сотруднику <b>{ $name }</b> (Битрикс24 #{ $bitrix_id })?
admin-move-employee = • Сейчас сотрудник { $name } привязан к Telegram <code>{ $telegram_id }</code>: этот аккаунт будет отвязан, его напоминания и настройки удалятся.
admin-move-account = • Сейчас Telegram <code>{ $telegram_id }</code> привязан к сотруднику { $name } (Битрикс24 #{ $bitrix_id }): эта привязка будет заменена.
admin-move-question = Обоим аккаунтам придёт сообщение. Продолжить?
btn-admin-move = ✅ Перенести
admin-move-cancelled = Отменено. Ничего не изменилось.
myid = Ваш Telegram ID: <code>{ $telegram_id }</code>
admin-links-empty = Пока никто не привязан.
admin-unlock-usage = Формат: <code>/admin_unlock &lt;почта или ID в Битрикс24&gt;</code>
admin-unlocked = <b>{ $name }</b> (Битрикс24 #{ $bitrix_id }) снова может запрашивать коды привязки.
admin-link-abuse =
    ⚠️ Коды привязки для <b>{ $name }</b> (Битрикс24 #{ $bitrix_id }) за последний час запросили { $codes ->
        [one] { $codes } раз
        [few] { $codes } раза
       *[many] { $codes } раз
    } с { $accounts ->
        [one] { $accounts } аккаунта
       *[other] { $accounts } аккаунтов
    } Telegram, поэтому новые я не отправляю ещё { $minutes } мин. Если запрашивал не только сам сотрудник, возможно, кто-то пытается привязаться к его аккаунту. Чтобы сотрудник мог привязаться сразу: <code>/admin_unlock { $bitrix_id }</code> — или привяжите его сами через /admin_link.
admin-links-page = Страница { $page } из { $pages }.
admin-links-next = Следующая страница: /links { $next }
admin-links-no-page = Страницы «{ $page }» нет, всего их { $pages }. Попробуйте /links 1.
admin-unavailable = Битрикс24 сейчас недоступен. Ничего не изменено.

## The day card

card-opened = 🟢 <b>Работаю</b>
card-paused = ⏸ <b>Перерыв</b>
card-closed = ⚪️ <b>День завершён</b>
card-none = ⚪️ <b>День не начат</b>
card-expired = ⚠️ <b>День { $date } не закрыт</b>
card-started = Начало: { $time }
card-started-on = Начало: { $date }, { $time }
card-finished = Окончание: { $time }
card-finished-on = Окончание: { $date }, { $time }
# Незакрытый день: когда он кончился, Битрикс24 не знает; это то, что запишет закрытие в предложенное время.
card-expired-worked = Отработано, если закрыть в { $time }: { $duration }
card-worked = Отработано: { $duration }
card-breaks = Перерывы: { $duration }
card-on-break-since = На перерыве с { $time } ({ $duration })
# Дневная норма (UF_TM_MIN_DURATION или из графика), с учётом перерывов.
card-done-at = 🏁 Норма ({ $target }) будет выполнена { $day ->
        [tomorrow] завтра в { $time }
       *[today] в { $time }
    }
card-done-in = 🏁 До нормы ({ $target }) осталось { $duration }
card-done-short = 🏁 День закрыт, до нормы ({ $target }) не хватило { $duration }
card-done-reached = ✅ Норма ({ $target }) выполнена в { $time }
card-pending-approval = ⏳ Ждёт подтверждения руководителя
card-expired-help = Чтобы начать сегодняшний день, Битрикс24 нужно время окончания того дня. Предлагается <b>{ $time }</b>.
card-expired-help-no-suggestion = Чтобы начать сегодняшний день, Битрикс24 нужно время окончания того дня.
card-updated = Обновлено в { $time }

## Buttons

btn-pause = ⏸ Пауза
btn-resume = ▶️ Вернуться
btn-close = 🏁 Завершить
btn-start = ▶️ Начать
btn-refresh = 🔄 Обновить
btn-retry = 🔁 Повторить
btn-close-suggested = ✅ Закрыть в { $time }
btn-other-time = 🕐 Другое время
btn-reason-forgot = Забыл закрыть день
btn-cancel = ✖️ Отмена
# Завершение с карточки: сначала вопрос, ведь отчёт Битрикс24 принимает только вместе с завершением.
btn-close-now = 🏁 Завершить
btn-close-with-report = 📝 С отчётом
btn-undo-close = ↩️ Не завершать
# На завершённом дне, который Битрикс24 продолжит: промежуток станет перерывом.
btn-continue-day = ▶️ Продолжить день

## What an action did

change-started = ▶️ Рабочий день начат. Хорошего дня!
change-resumed = ▶️ С возвращением! Рабочий день продолжается.
change-reopened = ▶️ День продолжается: время с момента завершения засчитано как перерыв.
change-running = ▶️ Рабочий день идёт.
change-already-running = Рабочий день уже идёт.
change-paused = ⏸ Пауза. Хорошего перерыва!
change-already-paused = Вы уже на перерыве.
change-closed = 🏁 Рабочий день завершён. Отличная работа!
change-closed-with-report =
    🏁 Рабочий день завершён. Отличная работа!
    📝 Отчёт сохранён в Битрикс24 вместе с днём.
change-undone = ↩️ Завершение отменено: день продолжается. Время с момента завершения засчитано как перерыв.
change-undo-too-late = Отменить завершение уже поздно. Но день можно продолжить.
change-already-closed = Рабочий день уже завершён.
change-repaired = ✅ День { $date } закрыт в { $time }. Теперь можно начать сегодняшний.
change-nothing-to-pause = Рабочий день завершён — ставить на паузу нечего.
change-nothing-to-pause-none = Вы ещё не начали рабочий день — ставить на паузу нечего. Начать?
change-not-paused = Вы не на перерыве: рабочий день завершён.
change-not-paused-none = Вы не на перерыве: рабочий день ещё не начат. Начать?
change-resumed-instead = Битрикс24 не поставил паузу, а продолжил завершённый день. Сейчас день идёт.
change-needs-repair = Рабочий день { $date } так и не был закрыт.
change-unchanged = Битрикс24 не изменил рабочий день. Сейчас он такой:
change-stale = Эта кнопка с карточки другого дня, поэтому в Битрикс24 ничего не отправлено. Ваш день сейчас:

## Failures

# $action — код действия: start, resume, pause, close, repair (закрытие незакрытого дня).
fail-unavailable = ⚠️ Битрикс24 сейчас недоступен. Не удалось { $action ->
        [start] начать рабочий день
        [resume] продолжить день
        [pause] поставить день на паузу
        [repair] закрыть тот день
        [undo] отменить завершение дня
       *[close] завершить рабочий день
    }: <b>ничего не записано</b>. Попробуйте через минуту.
fail-unavailable-status = ⚠️ Битрикс24 сейчас недоступен, показать рабочий день не могу. Попробуйте через минуту.
fail-unknown-outcome = ⚠️ Битрикс24 не ответил вовремя, и я не знаю, { $action ->
        [start] начат ли рабочий день
        [resume] продолжен ли день
        [pause] поставлен ли день на паузу
        [repair] закрыт ли тот день
        [undo] отменено ли завершение дня
       *[close] завершён ли рабочий день
    }. Проверьте через минуту командой /status.
fail-access-denied = ⛔ Битрикс24 отказал: у бота нет прав управлять вашим рабочим днём. Ничего не записано. Попросите администратора Битрикс24 проверить доступ бота.
fail-auth = ⛔ Бот сейчас не может войти в Битрикс24. Ничего не записано. Сообщите администратору.
fail-user-not-found = Битрикс24 больше не находит ваш аккаунт (возможно, он отключён). Ничего не записано. Привяжите аккаунт заново: /link.
fail-refused = Битрикс24 не дал { $action ->
        [start] начать рабочий день
        [resume] продолжить день
        [pause] поставить день на паузу
        [repair] закрыть тот день
        [undo] отменить завершение дня
       *[close] завершить рабочий день
    }: { $description }. Ничего не изменено.
fail-wrong-time = Битрикс24 не принял это время. Ничего не изменено.
fail-report-needed = Битрикс24 требует указать причину изменения.

## Repair flow for an EXPIRED day

repair-ask-time = Во сколько вы закончили работу { $date }? Пришлите время, например <code>18:30</code>. (День начался в { $start }.)
repair-bad-time = Пришлите время в виде <code>18:30</code>.
repair-before-start = Это раньше начала дня ({ $start }). Пришлите более позднее время.
repair-in-future = Это время ещё не наступило. Пришлите время, когда вы действительно закончили.
repair-ask-reason = Закрываю день { $date } в <b>{ $time }</b>. Битрикс24 нужна причина: напишите её сообщением или нажмите кнопку ниже.
repair-reason-forgot = Забыл закрыть рабочий день
repair-reason-too-long =
    Слишком длинно для Битрикс24: уложитесь в { $limit ->
        [one] { $limit } символ
        [few] { $limit } символа
       *[many] { $limit } символов
    }.
repair-stale = С тех пор день изменился. Сейчас он такой:
repair-cancelled = Отменено. День { $date } по-прежнему не закрыт.

## «Время ухода…»: сегодняшний день закрывается задним числом

left-ask-time = Во сколько вы сегодня ушли? Пришлите время, например <code>17:45</code>: позже начала дня ({ $start }) и не позже, чем сейчас ({ $now }).
left-ask-reason = Завершаю сегодняшний день в <b>{ $time }</b>. Битрикс24 нужна причина изменения времени: напишите её сообщением или нажмите кнопку ниже.

## Close report

close-ask = 🏁 Завершить рабочий день? Отчёт за день Битрикс24 принимает только при завершении — если хотите его написать, выберите «С отчётом».
close-ask-report =
    📝 Напишите отчёт за день одним сообщением (до { $limit ->
        [one] { $limit } символа
       *[other] { $limit } символов
    }) — я завершу день вместе с ним.
close-report-too-long =
    Отчёт слишком длинный: уложитесь в { $limit ->
        [one] { $limit } символ
        [few] { $limit } символа
       *[many] { $limit } символов
    }.
error-unexpected = ⚠️ У меня что-то пошло не так. Если вы меняли рабочий день, проверьте /status: там видно, что записано в Битрикс24.

## Reminders: what the engine sends

btn-pause-now = ⏸ Пауза
btn-snooze-in = { $minutes } мин
btn-more-break = ⏰ Ещё 5 мин
btn-close-later = ⏰ Через { $hours } ч
btn-left-at = 🕔 Время ухода…
btn-skip = ✖️ Пропустить
notice-ask =
    🍽 { $time } — время перерыва!
    Не сейчас? Нажмите 5, 10 или 15 мин ниже, и я напомню снова.
notice-auto-paused = ⏸ { $time } — перерыв. Я поставил рабочий день на паузу.
notice-will-remind = Напомню вернуться в { $time }.
notice-will-resume = Продолжу рабочий день в { $time }.
notice-break-over = ⏰ Перерыв ({ $minutes } мин) закончился.
notice-still-on-break = ⏰ Вы ещё на перерыве? Рабочий день по-прежнему на паузе.
notice-auto-resumed = ▶️ Перерыв ({ $minutes } мин) закончился: я продолжил рабочий день.
notice-auto-pause-failed = ⏰ Напоминание о перерыве ({ $time }): не удалось поставить день на паузу.
notice-auto-resume-failed = ⏰ Перерыв закончился, но продолжить рабочий день не удалось.
notice-close-nudge = 🌙 Уже { $time }, а рабочий день ещё не завершён. Завершите его, нажмите 🕔, если ушли раньше, или ⏰, если ещё работаете.
notice-morning-repair = 🌅 Доброе утро! День { $date } так и не был закрыт.
notice-late-start = ⏰ Уже { $time }, а рабочий день ещё не начат.
# Норма дня в часах и минутах: «8 часов», «7 ч 30 мин».
notice-goal-reached =
    🎯 Вы отработали свои { $minutes ->
        [0] { $hours } { $hours ->
            [one] час
            [few] часа
           *[many] часов
        }
       *[other] { $hours } ч { $minutes } мин
    }. Завершить день или ещё поработаете?
btn-keep-working = 💪 Продолжу
# Заголовок итогов недели (саму неделю рисует вид /week).
notice-weekly-summary = 📊 Ваша неделя на сегодня
nudge-kept = 💪 Хорошо! Сегодня больше не спрошу: когда закончите, завершите день командой /close.
nudge-kept-closed = 🏁 Ваш день уже завершён. /status покажет его.
remind-snoozed = ⏰ Хорошо, напомню ещё раз в { $time }.
remind-more-break = ⏰ Хорошо, ещё 5 минут: напомню в { $time }.
remind-close-later = ⏰ Хорошо, проверю ещё раз в { $time }.
remind-skipped = Перерыв пропущен. За работу!
remind-gone = Этого напоминания больше нет.
remind-break-timer = Напомню вернуться в { $time }.

## Reminders: /remind, /reminders (the UI)

cmd-remind = Напоминание о перерыве или о конце дня
cmd-reminders = Мои напоминания: выключить, удалить
cmd-timezone = Часовой пояс для напоминаний
cmd-week = Ваша неделя: отработано и норма

remind-parse-unknown =
    Не понял «{ $token }». Примеры:
    <code>/remind 13:00</code>
    <code>/remind 13:00 авто 45 мин</code>
    <code>/remind 12:30 пн,ср,пт</code>
    <code>/remind закрыть 18:30</code>
    Или отправьте просто /remind — откроется меню.
remind-parse-no-time = Во сколько? Отправьте так: <code>/remind 13:00</code>, или просто /remind — откроется меню.
remind-parse-break-length =
    Перерыв может длиться от 1 до { $limit ->
        [one] { $limit } минуты
       *[other] { $limit } минут
    }, например <code>/remind 13:00 45 мин</code>.
remind-parse-break-only = Режим и длительность перерыва бывают только у напоминаний о перерыве. Для проверки нужны только время и дни, например <code>/remind закрыть 18:30</code>.
remind-menu =
    ⏰ <b>Напоминания</b>
    Что настроим? Ваш часовой пояс: { $zone }.
btn-rem-new = 🍽 Перерыв
btn-rem-close = 🌙 Конец дня
btn-rem-list = 📋 Список
btn-rem-tz = 🌍 Пояс
btn-rem-other-time = 🕐 Другое время…
btn-rem-next = Далее →
btn-rem-ask = 🙋 Спросить
btn-rem-auto = ⏸ Автопауза
btn-rem-no-break = По-разному
btn-rem-resume-remind = 🔔 Напомнить вернуться
btn-rem-resume-auto = ▶️ Продолжить автоматически
btn-rem-delete-yes = 🗑 Удалить?
btn-rem-keep = ↩️ Оставить
remind-ask-time =
    🍽 <b>Новое напоминание о перерыве</b>
    Во сколько? (часовой пояс { $zone })
remind-type-time = Отправьте время так: <code>12:45</code> (24-часовой формат) — или нажмите «Отмена».
remind-bad-time = Не понял время. Отправьте так: <code>12:45</code> — или /cancel.
remind-ask-days =
    🍽 Перерыв в <b>{ $time }</b>
    По каким дням? Нажмите на день, чтобы включить или выключить его.
remind-no-days = Выберите хотя бы один день.
remind-ask-mode =
    🍽 Перерыв в <b>{ $time }</b>, { $days }
    Что сделать, когда придёт время?
    • <b>спросить</b>: я пришлю сообщение с кнопками [Пауза] [Пропустить] и [5] [10] [15 мин]
    • <b>автопауза</b>: я сам поставлю день на паузу и сообщу об этом, с кнопкой [Вернуться]
remind-ask-length =
    🍽 Перерыв в <b>{ $time }</b>, { $days }, { $mode }
    Сколько длится перерыв? Когда он закончится, я скажу.
remind-ask-resume =
    🍽 Перерыв в <b>{ $time }</b>, { $days }, { $mode }
    Когда перерыв ({ $minutes } мин) закончится:
remind-close-ask-time =
    🌙 <b>Если забыл закрыть день</b>
    Во сколько вечером проверять рабочий день? Если он ещё открыт или на паузе, я напомню его завершить (часовой пояс { $zone }).
remind-expired = Это меню устарело. Начните заново: /remind.
remind-already-saved = Уже сохранено.
remind-cancelled = Отменено. Напоминание не создано.
remind-limit =
    У вас уже { $limit ->
        [one] { $limit } напоминание
        [few] { $limit } напоминания
       *[many] { $limit } напоминаний
    } — это максимум. Сначала удалите одно в /reminders.
remind-limit-close =
    Проверка незакрытого дня идёт вместе с утренней проверкой, поэтому нужно два свободных места, а у вас { $count ->
        [one] { $count } напоминание
        [few] { $count } напоминания
       *[many] { $count } напоминаний
    } из { $limit }. Сначала удалите одно в /reminders.
remind-saved = ✅ <b>Напоминание сохранено</b>
remind-name-break = перерыв
remind-name-close = проверка незакрытого дня
remind-name-morning = утренняя проверка
remind-name-late-start = подсказка о неначатом дне
remind-name-goal = подсказка о норме
remind-name-weekly = итоги недели
remind-days-every = каждый день
remind-mode-ask = спросить
remind-mode-auto = автопауза
remind-length-remind = перерыв { $minutes } мин, потом напомнить
remind-length-resume = перерыв { $minutes } мин, потом продолжить автоматически
remind-explain-ask = В это время придёт сообщение с кнопками [Пауза] [Пропустить] и [5] [10] [15 мин].
remind-explain-auto = В это время я поставлю день на паузу и сообщу об этом, с кнопкой [Вернуться].
remind-explain-close = Срабатывает, только если рабочий день ещё открыт или на паузе.
remind-explain-morning = Если день остался незакрытым, утром я помогу его закрыть.
remind-also-morning = 🌅 А ещё утренняя проверка в <b>{ $time }</b>: если день остался незакрытым, я помогу его закрыть.
remind-next = Ближайшее: { $when } ({ $zone }).
remind-today = сегодня в { $time }
remind-tomorrow = завтра в { $time }
remind-on-date = { $date } в { $time }
reminders-title = 📋 <b>Ваши напоминания</b> (часовой пояс { $zone })
reminders-empty =
    Напоминаний пока нет. Создайте кнопкой ниже или командой:
    <code>/remind 13:00</code>, <code>/remind 13:00 авто 45 мин</code>, <code>/remind закрыть 18:30</code>.
reminders-on = 🔔 включено
reminders-on-next = 🔔 включено, ближайшее { $when }
reminders-off = 🔕 выключено
reminders-switched-on = 🔔 Включено.
reminders-switched-off = 🔕 Выключено.
reminders-deleted = 🗑 Удалено.
reminders-confirm-delete = 🗑 Удалить это напоминание? Нажмите «Удалить?», чтобы подтвердить, или «Оставить».
remind-duplicate = Такое напоминание у вас уже есть, второе я не добавил:
reminders-not-found = ⚠️ Такого напоминания нет или оно не ваше. Ничего не изменилось.
nudges-title = 🧭 <b>Подсказки</b> по графику из Битрикс24: нажмите, чтобы включить или выключить.
nudge-late-start = Не начат к { $time }
nudge-late-start-flextime = Не начат: гибкий график
nudge-goal = Норма { $duration } выполнена
nudge-weekly = Итоги недели, { $day } { $time }

## Time zone

tz-current =
    🌍 Ваш часовой пояс: <b>{ $zone }</b>, { $source }.
    Там сейчас { $time }. Напоминания срабатывают по этому поясу.
tz-source-bitrix24 = из профиля Битрикс24
tz-source-user = выбран вами
tz-source-default = пояс бота по умолчанию
tz-how = Чтобы сменить его, отправьте название, например <code>/timezone Europe/Moscow</code>.
btn-tz-bitrix24 = 🔄 Взять пояс из Битрикс24
tz-unknown = Не знаю часовой пояс «{ $zone }». Отправьте название из базы tz, например <code>/timezone Europe/Moscow</code> или <code>/timezone Asia/Yekaterinburg</code>.
tz-changed = ✅ Часовой пояс изменён.
tz-unchanged = Часовой пояс не изменился.
tz-moved = ⏰ Напоминания переехали вместе с ним: они сработают в то же местное время в новом поясе.
tz-bitrix24-none = В вашем профиле Битрикс24 нет своего часового пояса, поэтому я использую пояс бота по умолчанию.
tz-bitrix24-failed = ⚠️ Не удалось получить часовой пояс из Битрикс24. Ничего не изменилось; попробуйте через минуту.
tz-bitrix24-no-user = Битрикс24 не находит ваш аккаунт среди активных сотрудников. Ничего не изменилось.

## Неделя (/week): подпись к диаграмме, текст вместо неё, слова на диаграмме

btn-week = 📊 Неделя
btn-week-prev = ◀ Раньше
btn-week-this = Эта неделя
btn-week-next = Позже ▶
week-unavailable = ⚠️ Битрикс24 не отвечает, поэтому я не знаю вашу норму. Ничего не изменилось. Попробуйте через минуту.
week-today-unknown = ⚠️ Сегодняшний день не удалось прочитать из Битрикс24: неделя показана по тому, что я знал раньше.

week-title = 📅 <b>Неделя: { $first } – { $last }</b>
week-worked = Отработано <b>{ $worked }</b> из { $target }
week-worked-no-target = Отработано <b>{ $worked }</b>
week-target-only = Норма: <b>{ $target }</b>
week-no-target = Норма на эту неделю для вас не задана.
# $balance со знаком: "+40 мин", "−1 ч 5 мин".
week-balance-so-far = Баланс на сегодня: <b>{ $balance }</b>
week-balance = Баланс за неделю: <b>{ $balance }</b>
week-done-at = Норма дня будет выполнена { $day ->
        [tomorrow] завтра в <b>{ $time }</b>
       *[today] в <b>{ $time }</b>
    }, осталось { $remaining }.
week-done-paused = До нормы дня после перерыва останется { $remaining }.
week-done-reached = ✅ Норма дня выполнена в { $time }.
week-done-reached-plain = ✅ Норма дня выполнена.
week-done-short = День закрыт, до нормы не хватило { $remaining }.
week-today-not-started = Сегодня день ещё не начат, норма — { $target }.
week-left-open = ⚠️ { $date }: день не закрыт в Битрикс24 и считается за 0, пока его не закроют с временем окончания (/status).
week-unapproved =
    ⏳ { $count ->
        [one] { $count } день ждёт
        [few] { $count } дня ждут
       *[many] { $count } дней ждут
    } подтверждения руководителя.
week-missed =
    Без отметки: { $count } { $count ->
        [one] рабочий день
        [few] рабочих дня
       *[many] рабочих дней
    }.
# Строка дня в текстовом виде: "пн, 1 июн — 8 ч 30 мин из 8 ч".
week-of-target = { $worked } из { $target }
week-target-day = норма { $target }
week-day-off = выходной
week-state-running = идёт
week-state-paused = перерыв
week-state-left-open = не закрыт, считается за 0
week-state-not-worked = нет отметки
week-state-untracked = до подключения бота
week-untracked = { $count ->
        [one] { $count } рабочий день до подключения бота не учтён в балансе.
        [few] { $count } рабочих дня до подключения бота не учтены в балансе.
       *[many] { $count } рабочих дней до подключения бота не учтены в балансе.
    }
week-state-today-not-started = ещё не начат
week-state-unapproved = ждёт подтверждения
# Диаграмма: короткие слова крупным шрифтом. $balance — ч:мм со знаком ("+0:40").
week-chart-range = { $first } – { $last }
week-chart-totals = { $worked } из { $target }
week-chart-target-only = норма { $target }
week-chart-balance = баланс { $balance }
week-chart-hours = часы
week-chart-reached = выполнено
week-chart-below = меньше нормы
week-chart-running = сегодня
week-chart-open = не закрыт
week-chart-target = норма
## /team: руководитель видит день своих сотрудников
cmd-team = День вашей команды (для руководителей отделов)
btn-team-departments = 🏢 Отделы
team-header = 👥 <b>{ $name }</b> · { $count ->
        [one] { $count } человек
        [few] { $count } человека
       *[many] { $count } человек
    }
team-page = (страница { $page } из { $pages })
team-state-working = 🟢 <b>Работают: { $count }</b>
team-state-on-break = ☕ <b>На перерыве: { $count }</b>
team-state-finished = ✅ <b>Закончили: { $count }</b>
team-state-not-started = ⏳ <b>Не начинали: { $count }</b>
team-state-left-open = ⚠️ <b>Не закрыли прошлый день: { $count }</b>
team-state-unknown = ❔ <b>Битрикс24 не ответил: { $count }</b>
team-line-working = • { $name }: с { $since }, { $worked }
team-line-on-break = • { $name }: на перерыве { $duration } (с { $since })
team-line-on-break-unknown = • { $name }
team-line-finished = • { $name }: { $worked }
team-line-left-open = • { $name }: открыт с { $date }
team-line-plain = • { $name }
team-not-linked = 🔗 Не подключили бота: { $count } (их день не показывается)
team-not-a-head = 👥 /team показывает день отделов, которыми вы руководите в Битрикс24. Вы не руководите отделом, поэтому показать нечего.
team-pick = 🏢 Какой отдел?
team-unavailable = ⚠️ Битрикс24 не отвечает, поэтому показать команду сейчас не получится. Попробуйте через минуту.
btn-team-digest-off = ⏰ Сводка: выключена
btn-team-digest-on = ⏰ Сводка: { $time }
btn-team-digest-none = Выключена ✅
btn-team-digest-stop = Выключить
btn-team-evening-on = ✅ Вечерний список в { $time }
btn-team-evening-off = ⬜ Вечерний список в { $time }
btn-team-back = ◀ К команде
btn-team-ask-to-close = 📣 Попросить закрыть день
team-digest-about = ⏰ <b>Ежедневная сводка</b>: эта же картина каждый рабочий день в выбранное время (по вашему часовому поясу). Вечерний список показывает, кто ещё работает или не закрыл прошлый день, и кнопку, чтобы попросить их закрыть его.
team-digest-set = ⏰ <b>Сводка</b> в { $time } по рабочим дням. Вечерний список показывает, кто ещё работает или не закрыл прошлый день, и кнопку, чтобы попросить их закрыть его.
team-asked-already = 📣 Сегодня вы уже просили их об этом.
team-your-manager = Ваш руководитель
team-asked-to-close = 🌙 { $manager } просит вас закрыть рабочий день в Битрикс24. Отправьте /status, чтобы увидеть его и закрыть.
team-asked = { $count ->
        [0] 📣 Попросить некого: никто из тех, у кого день ещё открыт, не пользуется ботом.
        [one] 📣 Попросили { $count } человека закрыть день:
        [few] 📣 Попросили { $count } человек закрыть день:
       *[many] 📣 Попросили { $count } человек закрыть день:
    }
team-digest-more = …и ещё { $count ->
        [one] { $count } отдел
        [few] { $count } отдела
       *[many] { $count } отделов
    }: /team
notice-team-digest = 👥 <b>Ваша команда сегодня</b>
notice-team-evening = 🌙 <b>Не закрыли день: { $count }</b>
remind-name-team-digest = сводка по команде
remind-name-team-evening = вечерний список команды

## /updates: карточка дня следит за изменениями в самом Битрикс24

cmd-updates = Обновлять карточку дня по Битрикс24
updates-on =
    🔄 <b>Обновление карточки включено.</b>
    Если рабочий день изменится в самом Битрикс24 (в браузере или в мобильном приложении), я обновлю вашу последнюю карточку дня здесь в течение нескольких минут.
updates-off =
    <b>Обновление карточки выключено.</b>
    Карточка дня меняется, только когда вы пользуетесь ею здесь. Нажмите на ней 🔄 Обновить, чтобы увидеть, что показывает Битрикс24.
btn-updates-off = Выключить
btn-updates-on = Включить
