"""`bmcsim`: start a simulated Supermicro BMC fleet (contract: docs/architecture.md);
`bmcsim image`: write a firmware image it accepts (bmcsim/image.py)."""
from __future__ import annotations

import argparse
import asyncio
import signal
import sys

from aiohttp import web

from .admin import make_admin_app
from .fleet import Fleet


def latency(value: str):
    """'250' (fixed) or '50-400' (uniform between)."""
    low, _, high = value.partition("-")
    return (float(low), float(high)) if high else float(low)


def latency_path(value: str) -> tuple[str, float]:
    path, _, ms = value.rpartition("=")
    if not path:
        raise argparse.ArgumentTypeError("expected PATH=MS")
    return path.rstrip("/"), float(ms)


def parse(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="bmcsim", description="Supermicro BMC fleet simulator (Redfish over HTTPS)")
    p.add_argument("--count", type=int, required=True)
    p.add_argument("--profile", choices=["x13", "x12", "x11", "generic", "mixed"], required=True)
    p.add_argument("--port", type=int, default=8443)
    p.add_argument("--base-address", default="127.0.10.1")
    p.add_argument("--inventory")
    p.add_argument("--latency-ms", type=latency, default=0.0, help="fixed (250) or uniform range (50-400)")
    p.add_argument("--latency-path", type=latency_path, action="append", default=[], metavar="PATH=MS",
                   help="extra latency for one resource, e.g. /redfish/v1/Managers/1=5800 (repeatable)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--state-dir")
    p.add_argument("--admin-port", type=int, default=8099)
    p.add_argument("--username", default="ansible")
    p.add_argument("--password", default="Sim!Operator2024")
    p.add_argument("--noncompliant", type=float, default=0.0, metavar="RATIO")
    p.add_argument("--unreachable", type=int, default=0, metavar="K")
    p.add_argument("--strict-etag", action="store_true")
    p.add_argument("--service-port-base", type=int, default=20000, metavar="BASE",
                   help="SSH, HTTP, IPMI, SNMP, SSDP, KVM, virtual media listen on BASE + their standard port (0: standard)")
    args = p.parse_args(argv)
    if not 0 <= args.noncompliant <= 1:
        p.error("--noncompliant must be between 0 and 1")
    if not 0 <= args.unreachable <= args.count:
        p.error("--unreachable must be between 0 and --count")
    return args


async def run(args: argparse.Namespace) -> None:
    fleet = Fleet(args.count, args.profile, args.port, args.base_address, args.seed, args.username, args.password,
                  args.noncompliant, args.unreachable, args.state_dir, args.latency_ms, dict(args.latency_path),
                  args.strict_etag, args.service_port_base)
    await fleet.start()
    admin = web.AppRunner(make_admin_app(fleet), access_log=None)
    await admin.setup()
    await web.TCPSite(admin, "127.0.0.1", args.admin_port, reuse_address=True).start()
    if args.inventory:
        fleet.write_inventory(args.inventory)
    saver = asyncio.get_running_loop().create_task(fleet.autosave())
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    first, last = fleet.bmcs[0].address, fleet.bmcs[-1].address
    print(f"bmcsim ready: {args.count} BMCs ({args.profile}) {first}..{last}:{args.port} "
          f"admin=http://127.0.0.1:{args.admin_port} ca={fleet.ca.cert_path}"
          + (f" inventory={args.inventory}" if args.inventory else ""), flush=True)
    await stop.wait()
    saver.cancel()
    await admin.cleanup()
    await fleet.stop()


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["image"]:      # `bmcsim image ...`: write a firmware image (bmcsim/image.py)
        from .image import main as image_main
        return image_main(argv[1:])
    args = parse(argv)
    try:
        asyncio.run(run(args))
    except OSError as exc:
        print(f"bmcsim: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
