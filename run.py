#!/usr/bin/env python3
"""One command for a newcomer, with nothing but Python 3.11+ installed.

    python3 run.py          the bot: the sandbox when nothing is configured, the real bot
                            when .env is filled in (arguments go to `python -m bot`)
    python3 run.py test     the tests (arguments go to pytest)

It keeps a virtual environment in .venv and (re)installs the project into it whenever
pyproject.toml or sandbox/pyproject.toml changes. Standard library only: this runs before anything is installed.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"


def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def ensure_environment(extra: str) -> Path:
    if sys.version_info < (3, 11):
        sys.exit(f"Python 3.11 or newer is needed; this is {sys.version.split()[0]}.")
    python = venv_python()
    if not python.exists():
        print(f"Creating a virtual environment in {VENV.name}/ …", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    stamp = VENV / f".installed-{extra or 'sandbox'}"
    wanted = hashlib.sha256(b"".join(
        (ROOT / name).read_bytes() for name in ("pyproject.toml", "sandbox/pyproject.toml"))).hexdigest()
    if not stamp.exists() or stamp.read_text() != wanted:
        print("Installing the bot and the sandbox"
              + (f" with the '{extra}' extras" if extra else "") + " (first run only) …", flush=True)
        subprocess.run([str(python), "-m", "pip", "install", "-qq", "--upgrade", "pip"], check=True)
        # -qq: errors only. With one -q, setuptools' notice about editable installs (ten
        # lines, nothing to act on) would greet every newcomer.
        # The sandbox (emulators and the web page) is its own distribution beside the bot.
        bot = f".[{extra}]" if extra else "."
        subprocess.run([str(python), "-m", "pip", "install", "-qq", "-e", bot, "-e", "./sandbox"],
                       cwd=ROOT, check=True)
        stamp.write_text(wanted)
    return python


def main(argv: list[str]) -> int:
    if argv[:1] == ["test"]:
        python = ensure_environment("test")
        command = [str(python), "-m", "pytest", *argv[1:]]
    else:
        python = ensure_environment("")
        command = [str(python), "-m", "bot", *argv]
    os.chdir(ROOT)
    if argv[:1] == ["test"]:  # say what runs: the suite is pytest's, with pytest's exit status
        print("$ " + " ".join([os.path.relpath(command[0], ROOT), *command[1:]]), flush=True)
    if os.name == "nt":
        return subprocess.run(command).returncode
    os.execv(command[0], command)
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
