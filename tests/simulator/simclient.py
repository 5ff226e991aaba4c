"""Plain helpers for the simulator tests (a module of its own, so that test modules import them
by a unique name): the BMC names of the shared fleet and a standard-library HTTPS Redfish client
that verifies the fleet CA."""
from __future__ import annotations

import base64
import http.client
import json
import ssl
import uuid

from bmcsim.testing import SimFleet

X13, X12, X11 = "bmc-001", "bmc-002", "bmc-003"     # --profile mixed cycles x13, x12, x11


class Redfish:
    def __init__(self, fleet: SimFleet, name: str, username=None, password=None, source: str | None = None, timeout=10):
        bmc = next(b for b in fleet.bmcs if b["name"] == name)
        self.address, self.port = bmc["address"], bmc["port"]
        self.ctx = ssl.create_default_context(cafile=fleet.ca_path)
        self.username, self.password = (username, password) if username else fleet.credentials
        self.source, self.timeout, self.token = source, timeout, None

    def request(self, method: str, path: str, body=None, headers=None, auth=True):
        conn = http.client.HTTPSConnection(self.address, self.port, context=self.ctx, timeout=self.timeout,
                                           source_address=(self.source, 0) if self.source else None)
        hdrs = {"Accept": "application/json", **(headers or {})}
        if auth and self.token:
            hdrs["X-Auth-Token"] = self.token
        elif auth:
            hdrs["Authorization"] = "Basic " + base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            hdrs["Content-Type"] = "application/json"
        try:
            conn.request(method, path, data, hdrs)
            resp = conn.getresponse()
            raw = resp.read()
        finally:
            conn.close()
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = raw.decode()
        return resp.status, dict(resp.getheaders()), parsed

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def patch(self, path, body, **kw):
        return self.request("PATCH", path, body, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, {} if body is None else body, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)

    def login(self) -> str:
        status, headers, _ = self.post("/redfish/v1/SessionService/Sessions",
                                       {"UserName": self.username, "Password": self.password}, auth=False)
        assert status == 201, status
        self.token = headers["X-Auth-Token"]
        return headers["Location"]


def message_id(body) -> str:
    return body["error"]["@Message.ExtendedInfo"][0]["MessageId"]


def unlock(fleet: SimFleet, name: str) -> None:
    """Hardened X12/X13 BMCs are in system lockdown; tests of other writes lift it (admin API)."""
    if name != X11:
        fleet.admin.patch_resource(name, "/redfish/v1/Managers/1/Oem/Supermicro/SysLockdown", {"SysLockdownEnabled": False})


def form(fields: dict) -> tuple[bytes, str]:
    """multipart/form-data from {name: (filename or None, content, content type)}."""
    boundary = uuid.uuid4().hex
    body = b""
    for name, (filename, content, ctype) in fields.items():
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        body += f"--{boundary}\r\nContent-Disposition: {disposition}\r\nContent-Type: {ctype}\r\n\r\n".encode() + content + b"\r\n"
    return body + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def post_form(client: Redfish, path: str, fields: dict):
    body, ctype = form(fields)
    credentials = base64.b64encode(f"{client.username}:{client.password}".encode()).decode()
    conn = http.client.HTTPSConnection(client.address, client.port, context=client.ctx, timeout=client.timeout)
    try:
        conn.request("POST", path, body, {"Content-Type": ctype, "Authorization": f"Basic {credentials}"})
        resp = conn.getresponse()
        raw = resp.read()
    finally:
        conn.close()
    try:
        return resp.status, dict(resp.getheaders()), json.loads(raw or b"null")
    except ValueError:
        return resp.status, dict(resp.getheaders()), raw.decode()
