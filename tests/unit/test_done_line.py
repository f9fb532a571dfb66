"""The card's "done at" line, in both languages, including a minimum reached after midnight."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.i18n import Translator
from bot.telegram.day_card import done_line
from bot.worktime.done_at import DoneAt

BERLIN = ZoneInfo("Europe/Berlin")
EIGHT = timedelta(hours=8)


def test_done_today_and_tomorrow() -> None:
    now = datetime(2026, 12, 1, 20, 0, tzinfo=BERLIN)
    today = DoneAt(at=datetime(2026, 12, 1, 23, 30, tzinfo=BERLIN), remaining=3 * timedelta(hours=1), reached=False)
    tomorrow = DoneAt(at=datetime(2026, 12, 2, 1, 33, tzinfo=BERLIN), remaining=5 * timedelta(hours=1), reached=False)
    en, ru = Translator("en"), Translator("ru")
    assert done_line(today, BERLIN, en, EIGHT, now) == "🏁 Done at 23:30 (8 h)"
    assert done_line(tomorrow, BERLIN, en, EIGHT, now) == "🏁 Done at 01:33 tomorrow (8 h)"
    assert done_line(today, BERLIN, ru, EIGHT, now) == "🏁 Норма (8 ч) будет выполнена в 23:30"
    assert done_line(tomorrow, BERLIN, ru, EIGHT, now) == "🏁 Норма (8 ч) будет выполнена завтра в 01:33"


def test_reached_and_paused() -> None:
    now = datetime(2026, 12, 1, 18, 0, tzinfo=BERLIN)
    reached = DoneAt(at=datetime(2026, 12, 1, 17, 40, tzinfo=BERLIN), remaining=timedelta(0), reached=True)
    paused = DoneAt(at=None, remaining=timedelta(hours=1, minutes=20), reached=False)
    assert done_line(reached, BERLIN, Translator("en"), EIGHT, now) == "✅ 8 h done at 17:40"
    assert done_line(reached, BERLIN, Translator("ru"), EIGHT, now) == "✅ Норма (8 ч) выполнена в 17:40"
    assert done_line(paused, BERLIN, Translator("en"), EIGHT, now) == "🏁 1 h 20 min to go for 8 h"
    assert done_line(paused, BERLIN, Translator("ru"), EIGHT, now) == "🏁 До нормы (8 ч) осталось 1 ч 20 мин"


def test_a_day_closed_short_says_so() -> None:
    now = datetime(2026, 12, 1, 16, 0, tzinfo=BERLIN)
    short = DoneAt(at=None, remaining=timedelta(hours=2), reached=False)
    assert done_line(short, BERLIN, Translator("en"), EIGHT, now, closed=True) == "🏁 Closed 2 h short of 8 h"
    assert (done_line(short, BERLIN, Translator("ru"), EIGHT, now, closed=True)
            == "🏁 День закрыт, до нормы (8 ч) не хватило 2 ч")
