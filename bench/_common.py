"""Small helpers shared by the benchmark scripts: child processes, percentiles, results.

Nothing here measures anything; see the scripts' docstrings for what they measure.
"""

from __future__ import annotations

import json
import os
import platform
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"

if str(ROOT) not in sys.path:  # `python bench/x.py` as well as `python -m bench.x`
    sys.path.insert(0, str(ROOT))


def child_env(**extra: str) -> dict[str, str]:
    """The environment for a child Python process: this one's, minus the bot's settings,
    plus the repository on PYTHONPATH (the project is not installed in the venv), with
    the bot's health server off."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TELEGRAM_", "BITRIX24_", "BOT_", "WEBHOOK_", "REDIS_"))
    }
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env["PYTHONUNBUFFERED"] = "1"
    # Several bots run side by side here: none takes the fixed health port.
    env["BOT_HEALTH_PORT"] = "0"
    env.update(extra)
    return env


@dataclass
class Child:
    """A child process we started; `stop()` ends exactly this process (SIGTERM, then SIGKILL)."""

    process: subprocess.Popen[bytes]
    name: str
    log_path: Path | None = None
    info: dict[str, str] = field(default_factory=dict)

    @property
    def pid(self) -> int:
        return self.process.pid

    def cpu_seconds(self) -> float:
        """User + system CPU time of the child so far (psutil: the child is still running)."""
        import psutil

        times = psutil.Process(self.process.pid).cpu_times()
        return times.user + times.system

    def stop(self, timeout: float = 15.0) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()
        return self.process.returncode

    def log_tail(self, lines: int = 40) -> str:
        if self.log_path is None or not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


def stop_processes(processes: list[subprocess.Popen[bytes]], *, timeout: float = 20) -> None:
    """SIGTERM every process still running, then wait for each; kill what will not stop."""
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()


def read_until(stream: IO[bytes], marker: str, process: subprocess.Popen[bytes],
               timeout: float = 30.0) -> list[str]:
    """Read a child's stdout line by line until a line contains `marker`."""
    deadline = time.monotonic() + timeout
    lines: list[str] = []
    while time.monotonic() < deadline:
        raw = stream.readline()
        if not raw:
            if process.poll() is not None:
                break
            continue
        line = raw.decode(errors="replace").rstrip("\n")
        lines.append(line)
        if marker in line:
            return lines
    raise RuntimeError(f"child did not print {marker!r} in {timeout} s; output so far:\n" + "\n".join(lines))


def spawn_portal_cli(*, rate_limit: float, rate_burst: int, log_dir: Path) -> Child:
    """Start `python -m workday_sandbox.portal.emulator --demo` on a free port (`--port 0`), in its own
    process; `wait_portal_cli()` reads its URLs. `rate_limit=0` disables the portal's
    leaky bucket (the CLI's documented switch)."""
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"portal-{rate_limit:g}-{rate_burst}.log"
    command = [
        sys.executable, "-m", "workday_sandbox.portal.emulator", "--host", "127.0.0.1", "--port", "0",
        "--demo", "--rate-limit", f"{rate_limit:g}", "--rate-burst", str(rate_burst),
    ]
    process = subprocess.Popen(command, cwd=ROOT, env=child_env(), stdout=subprocess.PIPE,
                               stderr=log_path.open("wb"))
    return Child(process, "portal", log_path)


def wait_portal_cli(child: Child) -> Child:
    """Read what the demo portal prints at start: its base URL and the webhook of user 1
    (a timeman admin)."""
    try:
        lines = read_until(child.process.stdout, "Press Ctrl-C", child.process)  # type: ignore[arg-type]
    except BaseException:
        child.stop()
        raise
    for line in lines:
        if line.startswith("BITRIX24_WEBHOOK_URL="):
            child.info["webhook_url"] = line.split("=", 1)[1].strip()
        elif "listening on " in line:
            child.info["base_url"] = line.rsplit("listening on ", 1)[1].strip()
    if "webhook_url" not in child.info or "base_url" not in child.info:
        child.stop()
        raise RuntimeError("the portal emulator did not print its URLs:\n" + "\n".join(lines))
    return child


def busy_cpu_seconds() -> float:
    """CPU seconds the whole machine has spent busy (all cores, all processes) so far.
    The difference over a section minus our own processes' CPU is what others used."""
    import psutil

    times = psutil.cpu_times()
    return sum(times) - times.idle - getattr(times, "iowait", 0.0)


def percentile(values: list[float], q: float) -> float:
    """Linear-interpolated percentile (q in 0..100), like numpy's default."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def ratio(value: float, baseline: float) -> float | None:
    return value / baseline if baseline else None


def machine() -> dict[str, Any]:
    """What the numbers were measured on (they only compare within one run)."""
    info: dict[str, Any] = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
    }
    try:
        info["loadavg_at_start"] = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        pass
    info["tree"] = source_tree()
    from importlib import metadata

    for package in ("aiogram", "httpx", "aiohttp"):
        try:
            info[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            pass
    return info


def source_tree() -> dict[str, Any]:
    """Which code was measured: the commit, and the files that differ from it (others
    edit this tree while benchmarks run). Read-only git calls (no index refresh)."""
    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", "--no-optional-locks", *args], cwd=ROOT, capture_output=True,
                                  text=True, timeout=10).stdout.rstrip()
        except (OSError, subprocess.SubprocessError):
            return ""

    changed = [line[3:] for line in git("status", "--porcelain", "--untracked-files=all").splitlines()
               if line[3:].startswith(("bot/", "tests/redis_server.py"))]
    return {"head": git("rev-parse", "--short", "HEAD"), "changed_under_bot": changed}


def write_results(name: str, data: dict[str, Any], report: str) -> Path:
    """Write `bench/results/<name>.json` (git-ignored) with the data and the text report."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    payload = {"benchmark": name, "command": " ".join([Path(sys.executable).name, *sys.argv]),
               **data, "report": report.splitlines()}
    path.write_text(json.dumps(payload, indent=2, default=str) + "\n")
    return path


def conclude(name: str, data: dict[str, Any], report: str, *, passed: bool, verdict: str = "") -> int:
    """End a benchmark: PASS or FAIL (and `verdict`) under the report, the results file
    written, the report printed; the exit status."""
    report += "\n\n" + ("PASS" if passed else "FAIL") + verdict
    path = write_results(name, data, report)
    print()
    print(report)
    print(f"\nwritten: {path}")
    return 0 if passed else 1
