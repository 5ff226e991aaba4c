"""`SimFleet`: run the real `bmcsim` command for a test and talk to its admin API.

    with SimFleet(count=3, profile="mixed") as fleet:
        bmc = fleet.bmcs[0]                      # {"name", "address", "port", "generation", ...}
        fleet.admin.patch_resource(bmc["name"], "/redfish/v1/SessionService", {"SessionTimeout": 60})
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import urllib.request
from pathlib import Path
from urllib.parse import quote


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class AdminClient:
    def __init__(self, url: str):
        self.url = url.rstrip("/")

    def call(self, method: str, path: str, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as resp:
            return json.loads(resp.read() or b"null")

    def bmcs(self) -> list[dict]:
        return self.call("GET", "/bmcs")

    def get_resource(self, name: str, path: str) -> dict:
        return self.call("GET", f"/bmcs/{name}/resource?path={quote(path)}")

    def patch_resource(self, name: str, path: str, body: dict) -> dict:
        return self.call("PATCH", f"/bmcs/{name}/resource?path={quote(path)}", body)

    def put_resource(self, name: str, path: str, body: dict) -> dict:
        return self.call("PUT", f"/bmcs/{name}/resource?path={quote(path)}", body)

    def delete_resource(self, name: str, path: str):
        return self.call("DELETE", f"/bmcs/{name}/resource?path={quote(path)}")

    def accounts(self, name: str) -> list[dict]:
        return self.call("GET", f"/bmcs/{name}/accounts")

    def set_knobs(self, name: str, **knobs) -> dict:
        return self.call("PUT", f"/bmcs/{name}/knobs", knobs)

    def requests(self, name: str) -> dict:
        return self.call("GET", f"/bmcs/{name}/requests")

    def reset_requests(self, name: str) -> dict:
        return self.call("DELETE", f"/bmcs/{name}/requests")

    def sessions(self, name: str) -> list[dict]:
        return self.call("GET", f"/bmcs/{name}/sessions")

    def apply_deviations(self, name: str, *deviations: str) -> dict:
        return self.call("POST", f"/bmcs/{name}/deviations", {"apply": list(deviations)})

    def reset(self, name: str) -> dict:
        return self.call("POST", f"/bmcs/{name}/reset")


class SimFleet:
    """Starts `bmcsim` on free ports, waits for its ready line, stops it by PID."""

    def __init__(self, count: int = 3, profile: str = "mixed", *, base_address: str = "127.0.10.1", seed: int = 0,
                 noncompliant: float = 0.0, unreachable: int = 0, state_dir: str | None = None, latency_ms: str | None = None,
                 username: str = "ansible", password: str = "Sim!Operator2024", strict_etag: bool = False,
                 extra_args: list[str] = (), timeout: float = 30.0):
        self.port, self.admin_port = free_port(), free_port()
        self.username, self.password = username, password
        self._workdir = tempfile.mkdtemp(prefix="simfleet-")
        self.inventory_path = str(Path(self._workdir) / "inventory.yml")
        self.args = [self._command(), "--count", str(count), "--profile", profile, "--port", str(self.port),
                     "--admin-port", str(self.admin_port), "--base-address", base_address, "--seed", str(seed),
                     "--noncompliant", str(noncompliant), "--unreachable", str(unreachable),
                     "--inventory", self.inventory_path, "--username", username, "--password", password, *extra_args]
        if state_dir:
            self.args += ["--state-dir", state_dir]
        if latency_ms is not None:
            self.args += ["--latency-ms", str(latency_ms)]
        if strict_etag:
            self.args.append("--strict-etag")
        self.timeout = timeout
        self.proc: subprocess.Popen | None = None

    @staticmethod
    def _command() -> str:
        found = Path(sys.executable).with_name("bmcsim")
        return str(found) if found.exists() else (shutil.which("bmcsim") or "bmcsim")

    @property
    def credentials(self) -> tuple[str, str]:
        return self.username, self.password

    def start(self) -> "SimFleet":
        self._stderr = open(Path(self._workdir) / "stderr.log", "w+")
        self.proc = subprocess.Popen(self.args, stdout=subprocess.PIPE, stderr=self._stderr, text=True)
        line = self._ready_line()
        fields = dict(f.split("=", 1) for f in line.split() if "=" in f)
        self.ca_path = fields["ca"]
        self.admin = AdminClient(fields["admin"])
        self.bmcs = self.admin.bmcs()
        return self

    def _ready_line(self) -> str:
        result: list[str] = []
        reader = threading.Thread(target=lambda: result.append(self.proc.stdout.readline()), daemon=True)
        reader.start()
        reader.join(self.timeout)
        line = result[0] if result else ""
        if not line.startswith("bmcsim ready:"):
            self.stop()
            self._stderr.seek(0)
            stderr = self._stderr.read()[-4000:]
            self.__exit__()
            raise RuntimeError(f"bmcsim did not become ready within {self.timeout}s (exit code {self.proc.returncode}); "
                               f"stdout: {line!r}; stderr:\n{stderr}")
        return line

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        if self.proc and self.proc.stdout:
            self.proc.stdout.close()

    def __enter__(self) -> "SimFleet":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
        self._stderr.close()
        shutil.rmtree(self._workdir, ignore_errors=True)
