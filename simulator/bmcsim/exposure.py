"""What answers on a simulated BMC's service ports besides Redfish: SSH, HTTP, KVM, virtual media
(TCP) and IPMI/RMCP, SNMP, SSDP (UDP), each on the BMC's own loopback address while the service
is on in NetworkProtocol (or forced on by the knob `stuck_services`).

Ports are mapped: `base + standard port` (--service-port-base; 0 = the standard ports, needs
root for those below 1024). The BMC's IP access control is a socket filter (classic BPF) on every
service socket: the kernel drops packets from a source the rules do not accept, before any SYN-ACK
or answer, so a prober sees *filtered* (no answer), as from a firewall that drops.
"""
from __future__ import annotations

import asyncio
import ctypes
import ipaddress
import socket
import struct
import sys

from .bmc import BMC, MANAGER

# NetworkProtocol service -> (name in the port map, transport, standard port)
SERVICES = {
    "SSH": ("ssh", "tcp", 22),
    "HTTP": ("http", "tcp", 80),
    "KVMIP": ("kvm", "tcp", 5900),
    "VirtualMedia": ("virtual_media", "tcp", 623),
    "IPMI": ("ipmi", "udp", 623),
    "SNMP": ("snmp", "udp", 161),
    "SSDP": ("ssdp", "udp", 1900),
}
# Inferred (no capture of a Supermicro SSH banner in the reference): an OpenSSH build as on
# X12/X13 firmware; the probe only needs "an SSH server answers".
SSH_BANNER = b"SSH-2.0-OpenSSH_8.0\r\n"
RFB_BANNER = b"RFB 003.008\n"
IDLE_SECONDS = 20           # a silent client is dropped after this (as sshd's grace time would)

SO_ATTACH_FILTER, SO_DETACH_FILTER = 26, 27
SKF_NET_OFF = -0x100000
ASF_IANA = b"\x00\x00\x11\xbe"


def service_ports(base: int, https_port: int) -> dict[str, int]:
    """The port map written to the inventory (`bmc_service_ports`)."""
    ports = {name: base + port for name, _, port in SERVICES.values()}
    ports["https"] = https_port
    return ports


# ---- the IP access control as a socket filter ------------------------------------------------
def acl_program(bmc: BMC) -> list[tuple] | None:
    """Classic BPF: the rules in Id order, first match decides, no match drops (as
    BMC.acl_allows); None when the ACL filters nothing."""
    acl = bmc.get(bmc.oem_path("IPAccessControl"))
    rules = bmc.acl_rules() if acl and acl.get("ServiceEnabled") else []
    if not rules:
        return None
    program = []
    for rule in rules:
        try:
            net = ipaddress.ip_network(f"{rule['Address']}/{rule['PrefixLength']}", strict=False)
        except (ValueError, KeyError):
            continue
        if net.version != 4:
            continue
        verdict = 0xFFFFFFFF if rule.get("Policy") == "Accept" else 0
        program += [(0x20, 0, 0, (SKF_NET_OFF + 12) & 0xFFFFFFFF),      # A = source address
                    (0x54, 0, 0, int(net.netmask)),                      # A &= mask
                    (0x15, 0, 1, int(net.network_address)),              # A == network ? next : skip
                    (0x06, 0, 0, verdict)]
    return program + [(0x06, 0, 0, 0)]


def apply_filter(sock: socket.socket, program: list[tuple] | None) -> None:
    if program is None:
        try:
            sock.setsockopt(socket.SOL_SOCKET, SO_DETACH_FILTER, 0)
        except OSError:
            pass                  # none attached
        return
    code = ctypes.create_string_buffer(b"".join(struct.pack("HBBI", *ins) for ins in program))
    sock.setsockopt(socket.SOL_SOCKET, SO_ATTACH_FILTER, struct.pack("HL", len(program), ctypes.addressof(code)))


# ---- the listeners -----------------------------------------------------------------------------
class Listener:
    def __init__(self, sock: socket.socket, task: asyncio.Task):
        self.sock, self.task, self.server, self.transports = sock, task, None, set()

    def close(self) -> None:
        self.task.cancel()
        if self.server is not None:
            self.server.close()
        for transport in list(self.transports):
            transport.abort() if hasattr(transport, "abort") else transport.close()
        self.sock.close()


class Exposure:
    """Opens and closes each BMC's service listeners to follow its state (`sync`)."""

    def __init__(self, base: int):
        self.base = base
        self.listeners: dict[tuple[str, str], Listener] = {}
        self.filters: dict[str, list | None] = {}

    def ports(self, https_port: int) -> dict[str, int]:
        return service_ports(self.base, https_port)

    @staticmethod
    def wanted(bmc: BMC) -> set[str]:
        if not (bmc.reachable and bmc.up and bmc.routable):
            return set()
        protocols = bmc.get(f"{MANAGER}/NetworkProtocol") or {}
        on = {name for name in SERVICES if (protocols.get(name) or {}).get("ProtocolEnabled")}
        return on | (set(bmc.knobs.stuck_services) & set(SERVICES))

    def sync(self, bmc: BMC) -> None:
        """Synchronous, so that a PATCH's answer means the sockets already follow it."""
        wanted = self.wanted(bmc)
        current = {service for address, service in self.listeners if address == bmc.address}
        for service in current - wanted:
            self.listeners.pop((bmc.address, service)).close()
        program = acl_program(bmc)
        refilter = program != self.filters.get(bmc.address)
        self.filters[bmc.address] = program
        for service in sorted(wanted - current):
            try:
                self.listeners[(bmc.address, service)] = self._open(bmc, service, program)
            except OSError as exc:
                name, transport, port = SERVICES[service]
                print(f"bmcsim: {bmc.name} {service} {bmc.address}:{self.base + port}/{transport}: {exc}", file=sys.stderr)
        if refilter:
            for (address, _), listener in self.listeners.items():
                if address == bmc.address:
                    apply_filter(listener.sock, program)

    def forget(self, address: str) -> None:
        """Closes every service listener on `address` (the BMC moved away from it)."""
        for key in [k for k in self.listeners if k[0] == address]:
            self.listeners.pop(key).close()
        self.filters.pop(address, None)

    def close_all(self) -> None:
        for listener in self.listeners.values():
            listener.close()
        self.listeners.clear()

    def _open(self, bmc: BMC, service: str, program) -> Listener:
        _, transport, port = SERVICES[service]
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM if transport == "tcp" else socket.SOCK_DGRAM)
        try:
            if transport == "tcp":       # TIME_WAIT after a restart; never for UDP, where it would share the port
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            apply_filter(sock, program)      # before listening: not one packet passes unfiltered
            sock.bind((bmc.address, self.base + port))
            if transport == "tcp":
                sock.listen(64)
            sock.setblocking(False)
        except OSError:
            sock.close()
            raise
        loop = asyncio.get_running_loop()
        listener = Listener(sock, None)
        if transport == "tcp":
            factory = {"SSH": SshBanner, "HTTP": HttpRedirect, "KVMIP": RfbBanner, "VirtualMedia": Silent}[service]
            coro = loop.create_server(lambda: factory(bmc, listener), sock=sock)
        else:
            factory = {"IPMI": Rmcp, "SNMP": Snmp, "SSDP": Ssdp}[service]
            coro = loop.create_datagram_endpoint(lambda: factory(bmc, listener), sock=sock)
        listener.task = loop.create_task(self._serve(listener, coro))
        return listener

    @staticmethod
    async def _serve(listener: Listener, coro) -> None:
        result = await coro
        listener.server = result if isinstance(result, asyncio.AbstractServer) else None
        if listener.server is None:
            listener.transports.add(result[0])


class _Tcp(asyncio.Protocol):
    def __init__(self, bmc: BMC, listener: Listener):
        self.bmc, self.listener, self.transport, self.idle = bmc, listener, None, None

    def connection_made(self, transport) -> None:
        self.transport = transport
        peer = transport.get_extra_info("peername")
        if peer and not self.bmc.acl_allows(peer[0]):     # where no socket filter could be attached
            transport.abort()
            return
        self.listener.transports.add(transport)
        self.idle = asyncio.get_running_loop().call_later(IDLE_SECONDS, transport.close)
        self.greet()

    def connection_lost(self, exc) -> None:
        self.listener.transports.discard(self.transport)
        if self.idle:
            self.idle.cancel()

    def greet(self) -> None:
        pass


class Silent(_Tcp):
    """Virtual media (623/tcp): accepts and waits for the client to speak first."""


class SshBanner(_Tcp):
    def greet(self) -> None:
        self.transport.write(SSH_BANNER)


class RfbBanner(_Tcp):
    def greet(self) -> None:
        self.transport.write(RFB_BANNER)


class HttpRedirect(_Tcp):
    """Clear-text HTTP redirects every request to HTTPS."""
    def data_received(self, data: bytes) -> None:
        if b"\r\n" in data:
            host = self.bmc.address
            self.transport.write(b"HTTP/1.1 301 Moved Permanently\r\nLocation: https://%s/\r\nContent-Length: 0\r\n"
                                 b"Connection: close\r\n\r\n" % host.encode())
            self.transport.close()


class _Udp(asyncio.DatagramProtocol):
    def __init__(self, bmc: BMC, listener: Listener):
        self.bmc, self.listener, self.transport = bmc, listener, None

    def connection_made(self, transport) -> None:
        self.transport = transport

    def datagram_received(self, data: bytes, addr) -> None:
        if not self.bmc.acl_allows(addr[0]):
            return
        answer = self.answer(data)
        if answer:
            self.transport.sendto(answer, addr)

    def answer(self, data: bytes) -> bytes | None:
        raise NotImplementedError


def _checksum(data: bytes) -> int:
    return -sum(data) & 0xFF


class Rmcp(_Udp):
    """623/udp: ASF presence ping -> pong; IPMI 1.5 Get Channel Authentication Capabilities -> its answer.
    Anything else gets no answer (as a BMC ignores what it cannot parse)."""

    def answer(self, data: bytes) -> bytes | None:
        if len(data) < 12 or data[0] != 0x06:
            return None
        if data[3] == 0x06 and data[4:8] == ASF_IANA and data[8] == 0x80:          # Presence Ping
            pong = ASF_IANA + b"\x00\x00\x00\x00" + bytes([0x81, 0x00]) + b"\x00" * 6
            return b"\x06\x00\xff\x06" + ASF_IANA + bytes([0x40, data[9], 0x00, len(pong)]) + pong
        if data[3] == 0x07 and data[4] == 0x00 and len(data) >= 23:               # IPMI 1.5 session, no auth
            msg = data[14:14 + data[13]]
            if len(msg) >= 9 and msg[1] >> 2 == 0x06 and msg[5] == 0x38:           # App netfn, Get Ch Auth Caps
                # channel 1; auth types none/MD2/MD5 + IPMI 2.0 extended; non-null user names;
                # IPMI 1.5 and 2.0 connections; no OEM
                body = bytes([0x20, msg[4], 0x38, 0x00, 0x01, 0x80 | 0x04 | 0x02 | 0x01, 0x04, 0x03, 0, 0, 0, 0])
                head = bytes([0x81, 0x07 << 2])
                reply = head + bytes([_checksum(head)]) + body + bytes([_checksum(body)])
                return b"\x06\x00\xff\x07" + b"\x00" + b"\x00" * 8 + bytes([len(reply)]) + reply
        return None


class Snmp(_Udp):
    """161/udp: an SNMP v2c GetRequest with a configured community gets a GetResponse with
    sysDescr; wrong community or v2c off: no answer (as net-snmp)."""

    def answer(self, data: bytes) -> bytes | None:
        try:
            version, community, request_id = _snmp_request(data)
        except (ValueError, IndexError):
            return None
        if version != 1 or community not in self.communities():
            return None
        descr = f"Supermicro BMC {self.bmc.identity.get('board', '')}".encode()
        oid = bytes([0x06, 0x08, 0x2B, 6, 1, 2, 1, 1, 1, 0])
        varbind = _tlv(0x30, _tlv(0x30, oid + _tlv(0x04, descr)))
        pdu = _tlv(0xA2, _tlv(0x02, request_id) + b"\x02\x01\x00\x02\x01\x00" + varbind)
        return _tlv(0x30, b"\x02\x01\x01" + _tlv(0x04, community) + pdu)

    def communities(self) -> set[bytes]:
        if self.bmc.x11:
            oem = self.bmc.get(f"{MANAGER}/SNMP") or {}
            if not oem.get("SNMPv2Enabled"):
                return set()
            return {oem[k].encode() for k in ("ROCommunity", "RWCommunity") if oem.get(k)}
        snmp = (self.bmc.get(f"{MANAGER}/NetworkProtocol") or {}).get("SNMP") or {}
        if not snmp.get("EnableSNMPv2c"):
            return set()
        return {c["CommunityString"].encode() for c in snmp.get("CommunityStrings") or [] if c.get("CommunityString")}


def _tlv(tag: int, value: bytes) -> bytes:
    n = len(value)
    length = bytes([n]) if n < 0x80 else bytes([0x81, n]) if n < 0x100 else bytes([0x82, n >> 8, n & 0xFF])
    return bytes([tag]) + length + value


def _read(data: bytes, pos: int) -> tuple[int, bytes, int]:
    tag, n = data[pos], data[pos + 1]
    pos += 2
    if n & 0x80:
        size = n & 0x7F
        n = int.from_bytes(data[pos:pos + size], "big")
        pos += size
    if pos + n > len(data):
        raise ValueError("truncated")
    return tag, data[pos:pos + n], pos + n


def _snmp_request(data: bytes) -> tuple[int, bytes, bytes]:
    tag, message, _ = _read(data, 0)
    if tag != 0x30:
        raise ValueError("not a sequence")
    _, version, pos = _read(message, 0)
    _, community, pos = _read(message, pos)
    pdu_tag, pdu, _ = _read(message, pos)
    if pdu_tag not in (0xA0, 0xA1):                # GetRequest, GetNextRequest
        raise ValueError("not a get")
    _, request_id, _ = _read(pdu, 0)
    return int.from_bytes(version, "big"), community, request_id


class Ssdp(_Udp):
    """1900/udp: a unicast M-SEARCH gets the Redfish SSDP answer of DSP0266 (USN with the service UUID)."""

    def answer(self, data: bytes) -> bytes | None:
        if not data.startswith(b"M-SEARCH * HTTP/1.1"):
            return None
        uuid = (self.bmc.get("/redfish/v1") or {}).get("UUID", "")
        st = "urn:dmtf-org:service:redfish-rest:1"
        return (f"HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=1800\r\nST: {st}\r\nUSN: uuid:{uuid}::{st}\r\n"
                f"AL: https://{self.bmc.address}/redfish/v1/\r\nEXT:\r\n\r\n").encode()
