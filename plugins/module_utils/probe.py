# -*- coding: utf-8 -*-
# Copyright: contributors to bmclock.supermicro
# Apache License 2.0 (see LICENSE)
"""The exposure probe: what answers on a BMC's service ports, seen from where this code runs.

Standard library only (it runs on the vantage host inside the bmc_probe module). Per port one
real protocol exchange, bounded in time; all ports of all targets with bounded concurrency and a
rate limit on new probes. Each port is `open` (something answered or accepted the connection),
`closed` (TCP reset / ICMP port unreachable) or `filtered` (no answer within the timeout, or a
TCP connection reset before any answer: an access control or firewall in the way), with the kind
of answer and the banner where there is one.
"""

from __future__ import annotations

import asyncio
import os
import socket
import ssl
import struct
import time

# name -> (transport, standard port, exchange); the names are the audit's service names (facts.md)
CHECKS = {
    "ssh": ("tcp", 22, "banner"),
    "http": ("tcp", 80, "http"),
    "https": ("tcp", 443, "tls"),
    "kvm": ("tcp", 5900, "banner"),
    "virtual_media": ("tcp", 623, "banner"),
    "ipmi": ("udp", 623, "rmcp"),
    "snmp": ("udp", 161, "snmp"),
    "ssdp": ("udp", 1900, "ssdp"),
}
EXCHANGES = ("banner", "http", "tls", "rmcp", "snmp", "ssdp", "connect")
DEFAULTS = {"timeout": 1.5, "concurrency": 128, "rate": 400.0}
SNMP_COMMUNITY = b"public"

# RMCP (version 6, no ack) + ASF presence ping (IANA 4542, type 0x80), the standard IPMI discovery.
RMCP_PING = b"\x06\x00\xff\x06" + b"\x00\x00\x11\xbe" + b"\x80\x00\x00\x00"
# RMCP IPMI class, IPMI 1.5 session without authentication, Get Channel Authentication
# Capabilities (App netfn 0x06, cmd 0x38) for the current channel with IPMI 2.0 data, level Administrator.
IPMI_AUTH_CAPS = (b"\x06\x00\xff\x07" + b"\x00" + b"\x00" * 8 + b"\x09"
                  + bytes([0x20, 0x18, 0xC8, 0x81, 0x00, 0x38, 0x8E, 0x04, 0xB5]))
SSDP_SEARCH = (b"M-SEARCH * HTTP/1.1\r\nHOST: %s:1900\r\nMAN: \"ssdp:discover\"\r\nMX: 1\r\n"
               b"ST: ssdp:all\r\n\r\n")


def ports_for(service_ports=None, extra_ports=None):
    """The list of port checks [{name, transport, port, exchange}]: the standard ports, each
    overridden by the BMC's port map (`bmc_service_ports`), plus the baseline's extra ports."""
    service_ports = service_ports or {}
    unknown = sorted(set(service_ports) - set(CHECKS))
    if unknown:
        raise ValueError("bmc_service_ports: unknown services %s (known: %s)" % (unknown, sorted(CHECKS)))
    checks = []
    for name, (transport, port, exchange) in CHECKS.items():
        checks.append({"name": name, "transport": transport, "port": _port(service_ports.get(name, port), name),
                       "exchange": exchange, "standard_port": port})
    for i, extra in enumerate(extra_ports or []):
        where = "bmc_probe_extra_ports[%d]" % i
        if not isinstance(extra, dict) or set(extra) - {"name", "port", "transport", "exchange"}:
            raise ValueError("%s: expected {name, port, transport tcp|udp, exchange}" % where)
        transport = extra.get("transport", "tcp")
        exchange = extra.get("exchange", "banner" if transport == "tcp" else "connect")
        if transport not in ("tcp", "udp") or exchange not in EXCHANGES or not isinstance(extra.get("name"), str):
            raise ValueError("%s: name must be text, transport tcp or udp, exchange one of %s" % (where, list(EXCHANGES)))
        port = _port(extra.get("port"), where)
        checks.append({"name": extra["name"], "transport": transport, "port": port, "exchange": exchange,
                       "standard_port": port, "extra": True})
    return checks


def _port(value, where):
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 65536:
        raise ValueError("%s: port must be an integer 1..65535, got %r" % (where, value))
    return value


def probe(targets, timeout=None, concurrency=None, rate=None, source=None):
    """targets: [{"address", "checks": [...from ports_for]}] -> [{"address", "ports": [result]}]
    with result {name, transport, port, standard_port, state, answer, banner, seconds}."""
    timeout = DEFAULTS["timeout"] if timeout is None else float(timeout)
    concurrency = int(concurrency or DEFAULTS["concurrency"])
    rate = float(rate or DEFAULTS["rate"])
    if timeout <= 0 or concurrency < 1 or rate <= 0:
        raise ValueError("timeout, concurrency and rate must be positive")
    if source:
        _check_source(source)
    return asyncio.run(_probe_all(targets, timeout, concurrency, rate, source))


def _check_source(source):
    """A source address this host does not have would make every connect fail locally, which must
    not read as "filtered" (nothing answers: a pass from outside)."""
    try:
        with socket.socket(socket.AF_INET6 if ":" in source else socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.bind((source, 0))
    except OSError as exc:
        raise ValueError("source address %s cannot be used on this host: %s" % (source, exc.strerror or exc)) from None


async def _probe_all(targets, timeout, concurrency, rate, source):
    gate = asyncio.Semaphore(concurrency)
    pace = _Pacer(rate)

    async def one(address, check):
        async with gate:
            await pace.wait()
            started = time.monotonic()
            state, answer, banner = await _check(address, check, timeout, source)
            return dict(check, state=state, answer=answer, banner=banner,
                        seconds=round(time.monotonic() - started, 3))

    jobs = [[one(t["address"], c) for c in t["checks"]] for t in targets]
    flat = await asyncio.gather(*(j for row in jobs for j in row))
    results, i = [], 0
    for target, row in zip(targets, jobs):
        results.append({"address": target["address"], "ports": flat[i:i + len(row)]})
        i += len(row)
    return results


class _Pacer:
    """At most `rate` new probes per second (a scan must not flood a BMC or the network)."""

    def __init__(self, rate):
        self.interval, self.next = 1.0 / rate, 0.0

    async def wait(self):
        now = time.monotonic()
        start = max(now, self.next)
        self.next = start + self.interval
        if start > now:
            await asyncio.sleep(start - now)


async def _check(address, check, timeout, source):
    try:      # each step is bounded; this bounds the whole exchange (TLS: connect, TLS connect, read)
        if check["transport"] == "tcp":
            return await asyncio.wait_for(_tcp(address, check, timeout, source), timeout * 4 + 1)
        return await asyncio.wait_for(_udp(address, check, timeout, source), timeout * 4 + 1)
    except asyncio.TimeoutError:
        return "filtered", "no answer", None


# ---- TCP -----------------------------------------------------------------------------------------
async def _tcp(address, check, timeout, source):
    local = (source, 0) if source else None
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(address, check["port"], local_addr=local), timeout)
    except asyncio.TimeoutError:
        return "filtered", "no answer to SYN", None
    except ConnectionRefusedError:
        return "closed", "refused", None
    except OSError as exc:
        return "filtered", "unreachable: %s" % (exc.strerror or exc), None
    try:
        return await _tcp_exchange(reader, writer, address, check, timeout, source)
    except (ConnectionResetError, BrokenPipeError):
        return "filtered", "reset after connect", None
    finally:
        writer.transport.abort()


async def _tcp_exchange(reader, writer, address, check, timeout, source):
    exchange = check["exchange"]
    if exchange == "tls":
        return await _tls(address, check, timeout, source)
    if exchange == "http":
        writer.write(b"GET / HTTP/1.0\r\nHost: %s\r\nUser-Agent: bmclock-probe\r\n\r\n" % address.encode())
    if exchange == "connect":
        return "open", "accepted", None
    try:
        data = await asyncio.wait_for(reader.read(256), timeout)
    except asyncio.TimeoutError:
        return "open", "accepted, silent", None
    if not data:
        return "open", "accepted, closed without data", None
    text = data.split(b"\n", 1)[0].strip().decode("ascii", "replace")
    if exchange == "http":
        return "open", "http", text + _location(data)
    kind = "ssh" if data.startswith(b"SSH-") else "rfb" if data.startswith(b"RFB ") else "banner"
    return "open", kind, text


def _location(data):
    for line in data.split(b"\r\n"):
        if line.lower().startswith(b"location:"):
            return " -> " + line.split(b":", 1)[1].strip().decode("ascii", "replace")
    return ""


async def _tls(address, check, timeout, source):
    """TCP is open: now a TLS connection (certificate not verified: we only ask what answers) and one
    GET of the Redfish root. A connection cut before any answer is an access control at work:
    filtered. (A second connection rather than StreamWriter.start_tls, which needs Python 3.11.)"""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    local = (source, 0) if source else None
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(
            address, check["port"], ssl=context, server_hostname="", local_addr=local), timeout * 2)
    except asyncio.TimeoutError:
        return "open", "accepted, no TLS answer", None
    except ssl.SSLError as exc:
        return "open", "tcp, not TLS (%s)" % exc.reason, None
    except (ConnectionResetError, ConnectionAbortedError):
        return "filtered", "cut during the TLS handshake", None
    try:
        tls = writer.get_extra_info("ssl_object")
        version = tls.version() if tls else "TLS"
        writer.write(b"GET /redfish/v1/ HTTP/1.0\r\nHost: %s\r\nUser-Agent: bmclock-probe\r\n\r\n" % address.encode())
        try:
            data = await asyncio.wait_for(reader.read(256), timeout)
        except asyncio.TimeoutError:
            return "open", "tls, no HTTP answer", version
        except (ssl.SSLError, ConnectionResetError):
            data = b""
        if not data:
            return "filtered", "cut after the TLS handshake", version
        return "open", "https", "%s, %s" % (version, data.split(b"\r\n", 1)[0].decode("ascii", "replace"))
    finally:
        writer.transport.abort()


# ---- UDP ------------------------------------------------------------------------------------------
class _Datagrams(asyncio.DatagramProtocol):
    def __init__(self):
        self.answers = asyncio.Queue()

    def datagram_received(self, data, addr):
        self.answers.put_nowait(data)

    def error_received(self, exc):
        self.answers.put_nowait(exc)


def _requests(address, exchange):
    if exchange == "rmcp":
        return [RMCP_PING, IPMI_AUTH_CAPS]
    if exchange == "snmp":
        return [snmp_get(SNMP_COMMUNITY, os.getpid() & 0x7FFF)]
    if exchange == "ssdp":
        return [SSDP_SEARCH % address.encode()]
    return [b"\x00"]


async def _udp(address, check, timeout, source):
    loop = asyncio.get_running_loop()
    transport, proto = await loop.create_datagram_endpoint(
        _Datagrams, remote_addr=(address, check["port"]), local_addr=(source, 0) if source else None, family=socket.AF_INET)
    try:
        requests = _requests(address, check["exchange"])
        for payload in requests:
            transport.sendto(payload)
        kinds, banner = [], None
        deadline = loop.time() + timeout
        while len(kinds) < len(requests):
            try:
                item = await asyncio.wait_for(proto.answers.get(), max(0.0, deadline - loop.time()))
            except asyncio.TimeoutError:
                break
            if isinstance(item, ConnectionRefusedError):
                return ("open", "+".join(kinds), banner) if kinds else ("closed", "port unreachable", None)
            if isinstance(item, OSError):
                continue
            kind, text = describe_udp(check["exchange"], item)
            kinds.append(kind)
            banner = banner or text
        if kinds:
            return "open", "+".join(kinds), banner
        return "filtered", "no answer", None
    finally:
        transport.close()


def describe_udp(exchange, data):
    """(answer kind, text) of one UDP answer."""
    if exchange == "rmcp" and data[:1] == b"\x06" and len(data) > 8:
        if data[3] == 0x06 and data[8] == 0x40:
            return "rmcp-pong", None
        if data[3] == 0x07 and len(data) >= 24 and data[14 + 5] == 0x38:
            msg = data[14:]
            completion, auth = msg[6], msg[8]
            return "ipmi-auth-caps", "completion 0x%02x, auth types 0x%02x%s" % (
                completion, auth, ", IPMI 2.0" if len(msg) > 10 and msg[10] & 0x02 else "")
        return "rmcp", None
    if exchange == "snmp" and data[:1] == b"\x30":
        return "snmp-v2c-response", snmp_value(data)
    if exchange == "ssdp" and data.startswith(b"HTTP/1.1 200"):
        usn = [line for line in data.split(b"\r\n") if line.upper().startswith(b"USN:")]
        return "ssdp", usn[0][4:].strip().decode("ascii", "replace") if usn else None
    return "answer", None


# ---- SNMP v2c (BER) -------------------------------------------------------------------------------
SYS_DESCR = bytes([0x06, 0x08, 0x2B, 6, 1, 2, 1, 1, 1, 0])     # 1.3.6.1.2.1.1.1.0


def _tlv(tag, value):
    n = len(value)
    length = bytes([n]) if n < 0x80 else bytes([0x81, n]) if n < 0x100 else struct.pack(">BH", 0x82, n)
    return bytes([tag]) + length + value


def snmp_get(community, request_id):
    """SNMP v2c GetRequest for sysDescr.0."""
    pdu = _tlv(0xA0, _tlv(0x02, request_id.to_bytes(2, "big")) + b"\x02\x01\x00\x02\x01\x00"
               + _tlv(0x30, _tlv(0x30, SYS_DESCR + b"\x05\x00")))
    return _tlv(0x30, b"\x02\x01\x01" + _tlv(0x04, community) + pdu)


def snmp_value(data):
    """The first OCTET STRING after the sysDescr OID of a response, else None."""
    at = data.find(SYS_DESCR)
    if at < 0 or at + len(SYS_DESCR) + 2 > len(data) or data[at + len(SYS_DESCR)] != 0x04:
        return None
    pos = at + len(SYS_DESCR) + 1
    n = data[pos]
    if n & 0x80:
        size = n & 0x7F
        n, pos = int.from_bytes(data[pos + 1:pos + 1 + size], "big"), pos + size
    return data[pos + 1:pos + 1 + n].decode("utf-8", "replace")


# ---- summary -------------------------------------------------------------------------------------
def label(port):
    """'ipmi 623/udp: rmcp-pong+ipmi-auth-caps' (the standard port; the probed one if mapped)."""
    mapped = "" if port["port"] == port["standard_port"] else " (as %d)" % port["port"]
    return "%s %d/%s%s: %s" % (port["name"], port["standard_port"], port["transport"], mapped, port["answer"])


def vantage_result(vantage, zone, source, ports):
    """One vantage's view of one BMC, as the bmc_exposure fact carries it (docs/exposure.md)."""
    for port in ports:
        port["label"] = label(port)
    return {"vantage": vantage, "zone": zone, "source": source, "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "ports": ports, "open": [p["label"] for p in ports if p["state"] == "open"],
            "error": ""}
