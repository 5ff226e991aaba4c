"""A small Redfish service that is not bmcsim and not a Supermicro: what a user may put in the
inventory by mistake (a Dell/HPE/OpenBMC box) or a broken or hostile service. HTTPS on a free
loopback port, a certificate from a throw-away CA (bmcsim.tls), a session login that always works.

Modes (`ForeignRedfish(mode)`):
* "generic": a standard Redfish layout with another vendor's ids (Systems/System.Embedded.1,
  Managers/iDRAC.Embedded.1, ...), Manufacturer "Contoso", root Vendor "Contoso", no Oem.
* "empty": every GET answers 200 `{}`.
* "html": every GET answers 200 with an HTML page.
* "redirect": every GET answers 302 to a login page.
* "root-only": the root (with a Supermicro Oem block) and nothing else (404).
* "systems-only": the root and Systems/1 (Manufacturer Supermicro), nothing else.
* "no-members" / "no-accounts": the generic service, its account collection without a Members
  list / with an empty one.
* "busy": the generic service, but a GET answers 503 with `Retry-After: 1` until a second has
  passed since its first 503 (a client that does not wait gets 503 again).
"""

from __future__ import annotations

import json
import ssl
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from bmcsim.testing import free_port
from bmcsim.tls import CertificateAuthority

R = "/redfish/v1"
SYSTEM, MANAGER, CHASSIS = R + "/Systems/System.Embedded.1", R + "/Managers/iDRAC.Embedded.1", R + "/Chassis/System.Embedded.1"


def ref(path):
    return {"@odata.id": path}


def collection(path, *members):
    return {"@odata.id": path, "Members": [ref(m) for m in members], "Members@odata.count": len(members)}


def protocol(enabled, port):
    return {"ProtocolEnabled": enabled, "Port": port}


GENERIC = {
    R: {"@odata.id": R, "@odata.type": "#ServiceRoot.v1_11_0.ServiceRoot", "RedfishVersion": "1.11.0", "Vendor": "Contoso",
        "Product": "Contoso Remote Controller", "Systems": ref(R + "/Systems"), "Chassis": ref(R + "/Chassis"),
        "Managers": ref(R + "/Managers"), "AccountService": ref(R + "/AccountService"),
        "SessionService": ref(R + "/SessionService"), "EventService": ref(R + "/EventService"),
        "UpdateService": ref(R + "/UpdateService"), "Links": {"Sessions": ref(R + "/SessionService/Sessions")}},
    R + "/Systems": collection(R + "/Systems", SYSTEM),
    SYSTEM: {"@odata.id": SYSTEM, "Id": "System.Embedded.1", "Manufacturer": "Contoso", "Model": "PowerBox R750",
             "SerialNumber": "CN7X1", "BiosVersion": "1.13.2", "UUID": "4c4c4544-0000-1111-2222-333344445555"},
    R + "/Chassis": collection(R + "/Chassis", CHASSIS),
    CHASSIS: {"@odata.id": CHASSIS, "Id": "System.Embedded.1", "Manufacturer": "Contoso", "Model": "PowerBox R750"},
    R + "/Managers": collection(R + "/Managers", MANAGER),
    MANAGER: {"@odata.id": MANAGER, "Id": "iDRAC.Embedded.1", "FirmwareVersion": "7.00.00.171", "Model": "16G Monolithic",
              "NetworkProtocol": ref(MANAGER + "/NetworkProtocol"), "EthernetInterfaces": ref(MANAGER + "/EthernetInterfaces")},
    MANAGER + "/NetworkProtocol": {
        "@odata.id": MANAGER + "/NetworkProtocol", "HTTP": protocol(True, 80), "IPMI": protocol(True, 623),
        "SSH": protocol(True, 22), "VirtualMedia": protocol(True, 443), "KVMIP": protocol(True, 5900), "SSDP": protocol(False, 1900),
        "SNMP": {"ProtocolEnabled": False, "Port": 161, "EnableSNMPv2c": False, "EnableSNMPv3": True, "CommunityStrings": []},
        "HTTPS": {"ProtocolEnabled": True, "Port": 443, "Certificates": ref(MANAGER + "/NetworkProtocol/HTTPS/Certificates")},
        "NTP": {"ProtocolEnabled": True, "NTPServers": ["pool.ntp.org"]}},
    MANAGER + "/NetworkProtocol/HTTPS/Certificates": collection(MANAGER + "/NetworkProtocol/HTTPS/Certificates",
                                                                MANAGER + "/NetworkProtocol/HTTPS/Certificates/SecurityCertificate.1"),
    MANAGER + "/NetworkProtocol/HTTPS/Certificates/SecurityCertificate.1": {
        "@odata.id": MANAGER + "/NetworkProtocol/HTTPS/Certificates/SecurityCertificate.1",
        "Issuer": {"CommonName": "Contoso CA", "Organization": "Contoso"},
        "Subject": {"CommonName": "bmc.example.org", "Organization": "Example Org"},
        "ValidNotBefore": "2025-01-01T00:00:00Z", "ValidNotAfter": "2035-01-01T00:00:00Z"},
    MANAGER + "/EthernetInterfaces": collection(MANAGER + "/EthernetInterfaces", MANAGER + "/EthernetInterfaces/NIC.1"),
    MANAGER + "/EthernetInterfaces/NIC.1": {
        "@odata.id": MANAGER + "/EthernetInterfaces/NIC.1", "HostName": "idrac-r750", "MACAddress": "AA:BB:CC:00:11:22",
        "IPv4Addresses": [{"Address": "10.20.0.5", "SubnetMask": "255.255.255.0", "Gateway": "10.20.0.1", "AddressOrigin": "Static"}],
        "IPv6Addresses": [], "NameServers": ["10.10.0.53"], "DHCPv4": {"DHCPEnabled": False}},
    R + "/AccountService": {"@odata.id": R + "/AccountService", "MinPasswordLength": 8, "MaxPasswordLength": 40,
                            "AccountLockoutThreshold": 0, "AccountLockoutDuration": 0, "Accounts": ref(R + "/AccountService/Accounts"),
                            "LDAP": {"ServiceEnabled": False, "ServiceAddresses": []},
                            "ActiveDirectory": {"ServiceEnabled": False, "ServiceAddresses": []}},
    R + "/AccountService/Accounts": collection(R + "/AccountService/Accounts", R + "/AccountService/Accounts/2"),
    R + "/AccountService/Accounts/2": {"@odata.id": R + "/AccountService/Accounts/2", "Id": "2", "UserName": "root",
                                       "RoleId": "Administrator", "Enabled": True, "Locked": False},
    R + "/SessionService": {"@odata.id": R + "/SessionService", "SessionTimeout": 1800},
    R + "/EventService": {"@odata.id": R + "/EventService", "Subscriptions": ref(R + "/EventService/Subscriptions"),
                          "SMTP": {"ServiceEnabled": False, "ServerAddress": "", "Port": 25, "FromAddress": ""}},
    R + "/EventService/Subscriptions": collection(R + "/EventService/Subscriptions"),
    R + "/UpdateService": {"@odata.id": R + "/UpdateService", "FirmwareInventory": ref(R + "/UpdateService/FirmwareInventory")},
    R + "/UpdateService/FirmwareInventory": collection(R + "/UpdateService/FirmwareInventory"),
}

SUPERMICRO_ROOT = {"@odata.id": R, "RedfishVersion": "1.11.0", "Systems": ref(R + "/Systems"),
                   "Oem": {"Supermicro": {"DumpService": ref(R + "/Oem/Supermicro/DumpService")}}}
TREES = {
    "generic": GENERIC,
    "no-members": dict(GENERIC, **{R + "/AccountService/Accounts": {"@odata.id": R + "/AccountService/Accounts"}}),
    "no-accounts": dict(GENERIC, **{R + "/AccountService/Accounts": collection(R + "/AccountService/Accounts")}),
    "root-only": {R: SUPERMICRO_ROOT},
    "systems-only": {R: SUPERMICRO_ROOT, R + "/Systems": collection(R + "/Systems", R + "/Systems/1"),
                     R + "/Systems/1": {"@odata.id": R + "/Systems/1", "Id": "1", "Manufacturer": "Supermicro",
                                        "Model": "SYS-821GE-TNHR"}},
}


class ForeignRedfish:
    """`with ForeignRedfish("generic") as svc:` -> svc.address, svc.port, svc.ca_path, svc.requests."""

    def __init__(self, mode, address="127.0.77.1"):
        self.mode, self.address, self.port = mode, address, free_port()
        self.requests = []      # [(method, path, status)]
        self._busy_since = {}   # path -> monotonic time of its first 503 ("busy")
        self._tmp = tempfile.TemporaryDirectory()
        ca = CertificateAuthority(Path(self._tmp.name))
        self.ca_path = str(ca.cert_path)
        self._context, _ = ca.server_context(address, "foreign.example", Path(self._tmp.name))

    def answer(self, method, path):
        """(status, headers, body bytes) for one request."""
        path = path.split("?")[0].rstrip("/") or "/"
        if method == "POST" and path == R + "/SessionService/Sessions":
            return 201, {"X-Auth-Token": "t0k3n", "Location": R + "/SessionService/Sessions/1"}, b'{"Id": "1"}'
        if method == "DELETE":
            return 204, {}, b""
        if self.mode == "busy" and method == "GET":
            first = self._busy_since.setdefault(path, time.monotonic())
            if time.monotonic() - first < 1:
                return 503, {"Retry-After": "1", "Content-Type": "application/json"}, b'{"error": {"message": "busy"}}'
        if self.mode == "empty":
            return 200, {"Content-Type": "application/json"}, b"{}"
        if self.mode == "html":
            return 200, {"Content-Type": "text/html"}, b"<html><body><h1>Welcome</h1><p>Please log in.</p></body></html>"
        if self.mode == "redirect":
            return 302, {"Location": "https://%s:%d/login.html" % (self.address, self.port)}, b""
        body = TREES.get(self.mode, GENERIC).get(path)
        if body is None:
            return 404, {"Content-Type": "application/json"}, json.dumps(
                {"error": {"code": "Base.1.8.GeneralError", "message": "not found: %s" % path}}).encode()
        return 200, {"Content-Type": "application/json"}, json.dumps(body).encode()

    def __enter__(self):
        service = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self):
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                status, headers, body = service.answer(self.command, self.path)
                service.requests.append((self.command, self.path, status))
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PATCH = do_DELETE = _serve

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer((self.address, self.port), Handler)
        self._server.socket = self._context.wrap_socket(self._server.socket, server_side=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()
        self._tmp.cleanup()
