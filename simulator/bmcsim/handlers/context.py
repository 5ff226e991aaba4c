"""What a handler sees: the BMC, the request, the authenticated user, helpers to answer."""
from __future__ import annotations

import json
from dataclasses import dataclass

from aiohttp import web

from ..bmc import BMC, Session
from ..errors import RedfishError, success_body


@dataclass
class Ctx:
    bmc: BMC
    request: web.Request
    path: str
    match: object = None
    user: dict | None = None          # the account (store body) that authenticated
    session: Session | None = None
    _body: object = None

    async def json(self) -> dict:
        if self._body is None:
            raw = await self.request.read()
            try:
                self._body = json.loads(raw) if raw.strip() else {}
            except ValueError:
                raise RedfishError(400, "MalformedJSON")
        if not isinstance(self._body, dict):
            raise RedfishError(400, "MalformedJSON")
        return self._body

    @property
    def role(self) -> str:
        return self.user["RoleId"] if self.user else ""

    def require_admin(self) -> None:
        if self.role != "Administrator":
            raise RedfishError(403, "InsufficientPrivilege")

    def resource(self, path: str | None = None) -> dict:
        body = self.bmc.get(path or self.path)
        if body is None:
            raise RedfishError(404, "ResourceMissingAtURI", path or self.path)
        return body

    def reply(self, body: dict, status: int = 200, headers: dict | None = None) -> web.Response:
        return web.Response(status=status, text=json.dumps(body), content_type="application/json", headers=headers)

    def serve(self, path: str | None = None, status: int = 200, headers: dict | None = None) -> web.Response:
        body = self.bmc.served(path or self.path)
        if body is None:
            raise RedfishError(404, "ResourceMissingAtURI", path or self.path)
        headers = dict(headers or {})
        if "@odata.etag" in body:
            headers["ETag"] = body["@odata.etag"]
        return self.reply(body, status, headers)

    def success(self, message_id=None, *args, status: int = 200, headers=None) -> web.Response:
        return self.reply(success_body(message_id, *args), status, headers)
