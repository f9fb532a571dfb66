"""`python -m bot`: run the bot. `python -m bot portal`: run the Bitrix24 portal emulator."""

from __future__ import annotations

import asyncio
import sys

from bot.config import ConfigError, load_settings

USAGE = """usage: python -m bot [run | portal [options]]

  run       run the bot (the default); configuration comes from the environment and .env
  portal    run the Bitrix24 portal emulator (see: python -m bot portal --help)
"""


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    command = args.pop(0) if args else "run"
    if command in ("-h", "--help", "help"):
        print(USAGE)
        return 0
    if command == "portal":
        from bot.sandbox.portal import main as portal_main

        return portal_main(args) or 0
    if command != "run":
        print(USAGE, file=sys.stderr)
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
