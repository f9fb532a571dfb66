"""A small company for the team tests (pytest fixtures are in conftest.py).

    1 Company (head Anna)            Anna, Emma
    ├── 2 Engineering (head Boris)   Boris, Chloe
    │   ├── 4 Backend (head Chloe)   Dev, Gone (dismissed)
    │   └── 5 Design                 Farid
    └── 3 Sales (head Chloe)         Hana
"""

from __future__ import annotations

from workday_sandbox.portal.emulator import PortalEmulator
from bot.storage.keys import KeySpace

KEYS = KeySpace("t")
SCOPES = ("timeman", "user", "im", "department")
ANNA, BORIS, CHLOE, DEV, EMMA, FARID, GONE, HANA = range(1, 9)
ADMIN_TG = 555  # a bot admin's Telegram id, linked to nobody
COMPANY, ENGINEERING, SALES, BACKEND, DESIGN = 1, 2, 3, 4, 5


def build_company(portal: PortalEmulator) -> None:
    people = [(ANNA, "Anna", "Berg"), (BORIS, "Boris", "Ivanov"), (CHLOE, "Chloe", "Martin"),
              (DEV, "Dev", "Patel"), (EMMA, "Emma", "Jones"), (FARID, "Farid", "Aziz"),
              (GONE, "Gone", "Away"), (HANA, "Hana", "Sato")]
    for uid, name, last in people:
        portal.add_user(uid, email=f"{name.lower()}@example.com", name=name, last_name=last,
                        timeman_admin=uid == ANNA, active=uid != GONE)
    portal.define_department(COMPANY, name="Company", head=ANNA)
    portal.define_department(ENGINEERING, name="Engineering", parent=COMPANY, head=BORIS)
    portal.define_department(SALES, name="Sales", parent=COMPANY, head=CHLOE)
    portal.define_department(BACKEND, name="Backend", parent=ENGINEERING, head=CHLOE)
    portal.define_department(DESIGN, name="Design", parent=ENGINEERING)
    for uid, departments in [(BORIS, [ENGINEERING]), (CHLOE, [ENGINEERING]), (DEV, [BACKEND]),
                             (GONE, [BACKEND]), (FARID, [DESIGN]), (HANA, [SALES])]:
        portal.move_user(uid, departments)
