"""Redfish request handling: a small router that concern modules register into.

A handler is `async def handler(ctx) -> aiohttp.web.Response` registered for a method and a path
regex. Anything not matched by a registered route falls back to the generic store behaviour in
`core` (GET a stored resource, PATCH it under the generic rules, 405/404 otherwise).

To add a concern (e.g. the firmware update state machines in bmcsim/firmware.py), write a module
with `register(router)` and list it in MODULES below.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Awaitable, Callable


@dataclass
class Route:
    method: str
    pattern: re.Pattern
    handler: Callable[..., Awaitable]
    generations: frozenset = frozenset({"x11", "x12", "x13"})


@dataclass
class Router:
    routes: list[Route] = field(default_factory=list)
    # (path regex, hook(ctx, patch), validated): the generic PATCH validates the patch, then runs the
    # hook, then merges. A hook may raise RedfishError, rewrite the patch, or return a Response to
    # answer instead. validated=False hands the hook the raw patch (it rewrites names, or refuses
    # before any 400) and the hook calls validate_patch itself.
    patch_hooks: list[tuple[re.Pattern, Callable, bool]] = field(default_factory=list)

    def add(self, method: str, pattern: str, handler, generations: str = "x11 x12 x13") -> None:
        self.routes.append(Route(method, re.compile(pattern + "$"), handler, frozenset(generations.split())))

    def patch_hook(self, pattern: str, hook, validated: bool = True) -> None:
        self.patch_hooks.append((re.compile(pattern + "$"), hook, validated))

    def patch_hook_for(self, path: str) -> tuple[Callable | None, bool]:
        return next(((hook, validated) for pattern, hook, validated in self.patch_hooks if pattern.match(path)),
                    (None, True))

    def match(self, method: str, path: str, generation: str):
        for route in self.routes:
            if route.method == method and generation in route.generations and (m := route.pattern.match(path)):
                return route, m
        return None, None


# Registration order is match order; `core` (service root, $metadata, registries) comes last.
MODULES = ("bmcsim.handlers.sessions", "bmcsim.handlers.accounts", "bmcsim.handlers.network", "bmcsim.handlers.oem",
           "bmcsim.handlers.events", "bmcsim.handlers.certificates",
           "bmcsim.firmware", "bmcsim.handlers.core")


def build_router() -> Router:
    import importlib
    router = Router()
    for name in MODULES:
        importlib.import_module(name).register(router)
    return router
