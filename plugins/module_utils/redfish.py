# -*- coding: utf-8 -*-
# Copyright: contributors to bmclock.supermicro
# Apache License 2.0 (see LICENSE)
"""A small Redfish client for Supermicro BMCs (stdlib only, no Ansible imports).

* HTTPS with certificate checking on by default (`ca_path`; `validate_certs=False` only when asked).
* One Redfish session per use (`with RedfishClient(...) as rf:`), logged out in `finally`;
  `auth="basic"` sends Basic credentials instead and checks them once up front.
* Keep-alive connections in a small pool; `get_many` runs `concurrency` GETs at a time, each
  worker on its own persistent connection.
* Retries with exponential backoff on 503, and on connections reset or refused for GETs (a
  write may already have been applied); never on 401/403: after one refused credential the
  client sends nothing more (no lockouts, no re-login).
* If-Match from the last GET of a path (or given explicitly) on PATCH/POST/DELETE; multipart
  upload; task polling that understands Supermicro's 202 `Accepted` bodies.
* Errors name host, method, path, HTTP status and the `@Message.ExtendedInfo` messages.
  The password never appears in an exception, a repr or a message.
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import queue
import ssl
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import urlsplit

SESSIONS = "/redfish/v1/SessionService/Sessions"
TASK_FINAL_STATES = {"Completed", "Cancelled", "Exception", "Killed", "Interrupted", "Failed"}

# Failures after which the same request may simply be sent again: the BMC dropped or refused
# the connection (also a pooled keep-alive connection the BMC closed while idle).
_TRANSIENT = (ConnectionError, http.client.HTTPException, ssl.SSLEOFError)
# Only these are sent again after a dropped connection: a POST or PATCH may already have been
# applied (and Supermicro answers a repeated "set to the current value" with an error).
_REPLAYABLE = ("GET", "HEAD")


class RedfishError(Exception):
    """A Redfish request that failed: HTTP status >= 400, or no answer (status None)."""

    def __init__(self, host, method, path, status=None, messages=(), message_ids=(), reason=None):
        self.host, self.method, self.path, self.status = host, method, path, status
        self.messages, self.message_ids = list(messages), list(message_ids)
        self.reason = reason or (http.client.responses.get(status, "") if status else "no answer")
        super().__init__(str(self))

    def __str__(self):
        what = "HTTP %s %s" % (self.status, self.reason) if self.status else self.reason
        text = "%s: %s %s: %s" % (self.host, self.method, self.path, what)
        details = ["%s [%s]" % (m, i) if i else m for m, i in zip(self.messages, self.message_ids + [""] * len(self.messages))]
        return text + (": " + "; ".join(details) if details else "")

    @property
    def not_licensed(self):
        """The BMC refused because a licence (SFT-OOB-LIC / SFT-DCMS-SINGLE) is missing."""
        return any(i.endswith("OemLicenseNotPassed") for i in self.message_ids)

    @property
    def missing(self):
        """The resource does not exist on this BMC (older firmware, other generation)."""
        return self.status in (404, 405, 501)


@dataclass
class Response:
    status: int
    headers: dict = field(default_factory=dict)    # lower-case names
    body: dict = field(default_factory=dict)

    @property
    def task_uri(self):
        """The task a 202 started: Supermicro puts it in the Accepted body, others in Location."""
        info = (self.body.get("Accepted") or {}).get("@Message.ExtendedInfo") or []
        args = (info[0].get("MessageArgs") or []) if info else []
        if args and str(args[0]).startswith("/redfish/"):
            return args[0]
        if self.headers.get("location"):
            return urlsplit(self.headers["location"]).path
        if str(self.body.get("@odata.type", "")).startswith("#Task."):
            return self.body.get("@odata.id")
        return None


class RedfishClient:
    def __init__(self, host, port=443, username=None, password=None, ca_path=None, validate_certs=True,
                 timeout=30, retries=3, auth="session", concurrency=4, backoff=0.5):
        if auth not in ("session", "basic"):
            raise ValueError("auth must be 'session' or 'basic', not %r" % (auth,))
        self.host, self.port, self.username = host, int(port), username
        self.__password = password
        self.timeout, self.retries, self.auth = timeout, int(retries), auth
        self.concurrency, self.backoff = max(1, int(concurrency)), backoff
        self._context = _tls_context(ca_path, validate_certs)
        self._idle = queue.LifoQueue()
        self._lock = threading.Lock()
        self._requests = 0
        self._etags = {}
        self._token = self._session_uri = None
        self._refused = False
        self._executor = None

    def __repr__(self):
        return "RedfishClient(%s:%d, username=%r, auth=%r)" % (self.host, self.port, self.username, self.auth)

    @property
    def requests(self):
        """HTTP requests sent so far, login, logout and retries included."""
        return self._requests

    @property
    def where(self):
        host = "[%s]" % self.host if ":" in self.host else self.host
        return host if self.port == 443 else "%s:%d" % (host, self.port)

    # -- session -----------------------------------------------------------------------------

    def __enter__(self):
        try:
            self.login()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc_info):
        self.logout()

    def login(self):
        """One attempt: a refused login is never retried (BMCs lock accounts out after 3)."""
        if self.auth == "basic":
            # One authenticated GET checks the credentials before get_many sends several at once.
            self.get("/redfish/v1/SessionService")
            return
        response = self._send("POST", SESSIONS, {"UserName": self.username, "Password": self.__password})
        self._token = response.headers.get("x-auth-token")
        if not self._token:
            raise RedfishError(self.where, "POST", SESSIONS, response.status, reason="no X-Auth-Token in the answer")
        location = response.headers.get("location") or response.body.get("@odata.id")
        self._session_uri = urlsplit(location).path if location else None

    def logout(self):
        try:
            if self._token and self._session_uri and not self._refused:
                self._send("DELETE", self._session_uri)
        except RedfishError:
            pass    # the session expires on the BMC by itself (SessionTimeout)
        finally:
            self._token = self._session_uri = None
            self.close()

    def close(self):
        if self._executor:
            self._executor.shutdown(wait=True)
            self._executor = None
        while True:
            try:
                self._idle.get_nowait().close()
            except queue.Empty:
                return

    # -- requests ----------------------------------------------------------------------------

    def get(self, path):
        path = _path(path)
        response = self._send("GET", path)
        etag = response.headers.get("etag") or response.body.get("@odata.etag")
        if etag:
            self._etags[path] = etag
        return response.body

    def etag(self, path):
        """The ETag of the last GET of `path` (sent as If-Match by the next write to it), or None."""
        return self._etags.get(_path(path))

    def get_many(self, paths):
        """{path: body or RedfishError}, `concurrency` requests in flight at a time."""
        paths = list(dict.fromkeys(_path(p) for p in paths))
        if not paths:
            return {}
        if self._executor is None:
            self._executor = ThreadPoolExecutor(self.concurrency, thread_name_prefix="redfish")
        futures = {path: self._executor.submit(self._get_or_error, path) for path in paths}
        return {path: future.result() for path, future in futures.items()}

    def _get_or_error(self, path):
        try:
            return self.get(path)
        except RedfishError as exc:
            return exc

    def patch(self, path, body, etag=None):
        return self._write("PATCH", path, body, etag)

    def post(self, path, body=None, etag=None):
        return self._write("POST", path, body, etag)

    def delete(self, path, etag=None):
        return self._write("DELETE", path, None, etag)

    def _write(self, method, path, body, etag):
        path = _path(path)
        etag = etag or self._etags.get(path)
        response = self._send(method, path, body, {"If-Match": etag} if etag else None)
        self._etags.pop(path, None)     # the resource changed: the next write needs a new GET
        return response

    def upload(self, path, fields=None, files=None, timeout=None):
        """multipart/form-data POST, e.g. fields={"UpdateParameters": {...}}, files={"UpdateFile": "bmc.bin"}.

        A field value that is not text is sent as JSON; a file is a path or (filename, bytes).
        """
        boundary = uuid.uuid4().hex
        chunks = []
        for name, value in (fields or {}).items():
            if isinstance(value, (str, bytes)):
                data, ctype = (value.encode() if isinstance(value, str) else value), "text/plain"
            else:
                data, ctype = json.dumps(value).encode(), "application/json"
            chunks.append(_part(boundary, 'name="%s"' % name, ctype, data))
        for name, source in (files or {}).items():
            if isinstance(source, (str, os.PathLike)):
                with open(source, "rb") as handle:
                    source = (os.path.basename(source), handle.read())
            filename, data = source
            chunks.append(_part(boundary, 'name="%s"; filename="%s"' % (name, filename), "application/octet-stream", data))
        payload = b"".join(chunks) + b"--%s--\r\n" % boundary.encode()
        headers = {"Content-Type": "multipart/form-data; boundary=%s" % boundary}
        return self._send("POST", _path(path), raw=payload, headers=headers, timeout=timeout)

    def wait_task(self, task, timeout=1800, interval=5):
        """Poll a task (a URI, or the Response that started it) until it ends; returns the task.

        Raises RedfishError when it ends in another state than Completed or runs past `timeout`.
        While the BMC restarts (no answer, 503) polling goes on until the deadline.
        """
        uri = task if isinstance(task, str) else task.task_uri
        if not uri:
            raise RedfishError(self.where, "GET", "(task)", reason="the answer names no task to wait for")
        deadline = time.monotonic() + timeout
        while True:
            try:
                body = self.get(uri)
            except RedfishError as exc:
                if exc.status not in (None, 503) or time.monotonic() >= deadline:
                    raise
                time.sleep(interval)
                continue
            state = body.get("TaskState")
            # X11 tasks report progress only as Oem.Percentage (reference 5.3).
            done = (body.get("Oem") or {}).get("Percentage") == "100%"
            if state == "Completed" or (done and state not in TASK_FINAL_STATES):
                return body
            if state in TASK_FINAL_STATES:
                messages = [m.get("Message") for m in body.get("Messages") or [] if m.get("Message")]
                raise RedfishError(self.where, "GET", uri, messages=messages,
                                   reason="task ended %s (%s)" % (state, body.get("TaskStatus")))
            if time.monotonic() >= deadline:
                raise RedfishError(self.where, "GET", uri, reason="task still %s after %ss" % (state, timeout))
            time.sleep(interval)

    # -- transport ---------------------------------------------------------------------------

    def _headers(self, extra):
        headers = {"Accept": "application/json", "OData-Version": "4.0"}
        if self._token:
            headers["X-Auth-Token"] = self._token
        elif self.auth == "basic":
            pair = "%s:%s" % (self.username, self.__password)
            headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
        headers.update(extra or {})
        return headers

    def _send(self, method, path, body=None, headers=None, raw=None, timeout=None):
        if self._refused:
            raise RedfishError(self.where, method, path, 401, reason="not sent: the BMC refused the credentials earlier")
        payload = raw if body is None else json.dumps(body).encode()
        headers = self._headers(headers)
        if body is not None:
            headers["Content-Type"] = "application/json"
        for attempt in range(self.retries + 1):
            conn = self._connection(timeout)
            with self._lock:
                self._requests += 1
            try:
                conn.request(method, path, body=payload, headers=headers)
                answer = conn.getresponse()
                data = answer.read()
            except ssl.SSLCertVerificationError as exc:
                conn.close()
                raise RedfishError(self.where, method, path, reason="TLS certificate not trusted (%s); set ca_path to the "
                                   "CA that signed it" % (exc.verify_message or exc.reason)) from None
            except TimeoutError:
                conn.close()
                raise RedfishError(self.where, method, path, reason="no answer within %ss" % (timeout or self.timeout)) from None
            except _TRANSIENT as exc:
                conn.close()
                if attempt < self.retries and method in _REPLAYABLE:
                    self._pause(attempt)
                    continue
                raise RedfishError(self.where, method, path, reason="connection failed: %s" % (exc or type(exc).__name__)) from None
            except OSError as exc:
                conn.close()
                raise RedfishError(self.where, method, path, reason="connection failed: %s" % exc) from None
            self._release(conn, answer, timeout)
            response = Response(answer.status, {k.lower(): v for k, v in answer.getheaders()}, _json(data))
            if answer.status == 503 and attempt < self.retries:
                self._pause(attempt)
                continue
            if answer.status >= 400:
                raise self._error(method, path, response)
            return response

    def _connection(self, timeout):
        try:
            conn = self._idle.get_nowait()
        except queue.Empty:
            conn = http.client.HTTPSConnection(self.host, self.port, timeout=self.timeout, context=self._context)
        if timeout:
            conn.timeout = timeout
            if conn.sock:
                conn.sock.settimeout(timeout)
        return conn

    def _release(self, conn, answer, timeout):
        if answer.will_close:
            conn.close()
            return
        if timeout:
            conn.timeout = self.timeout
            if conn.sock:
                conn.sock.settimeout(self.timeout)
        self._idle.put(conn)

    def _pause(self, attempt):
        time.sleep(min(self.backoff * 2 ** attempt, 10))

    def _error(self, method, path, response):
        if response.status == 401:
            self._refused = True
        error = response.body.get("error") if isinstance(response.body.get("error"), dict) else response.body
        info = [i for i in error.get("@Message.ExtendedInfo") or [] if isinstance(i, dict)]
        messages = [i.get("Message") or "" for i in info]
        if not any(messages):
            # Supermicro writes the summary as "Message" (DMTF: "message").
            summary = error.get("Message") or error.get("message")
            messages = [summary] if summary else []
        if self.__password:  # Base messages echo rejected values: never carry the password on
            messages = [str(m).replace(self.__password, "********") for m in messages]
        return RedfishError(self.where, method, path, response.status, messages, [i.get("MessageId") or "" for i in info])


def _tls_context(ca_path, validate_certs):
    if not validate_certs:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    if ca_path and os.path.isdir(ca_path):
        return ssl.create_default_context(capath=ca_path)
    return ssl.create_default_context(cafile=ca_path)


def _path(path):
    """Absolute Redfish path from an @odata.id, a full URL or a path relative to /redfish/v1."""
    if "://" in path:
        parts = urlsplit(path)
        path = parts.path + ("?" + parts.query if parts.query else "")
    return path if path.startswith("/") else "/redfish/v1/" + path


def _json(data):
    try:
        body = json.loads(data) if data else {}
    except ValueError:
        return {}   # X11 answers unknown URIs with an HTML page
    return body if isinstance(body, dict) else {"value": body}


def _part(boundary, disposition, ctype, data):
    head = "--%s\r\nContent-Disposition: form-data; %s\r\nContent-Type: %s\r\n\r\n" % (boundary, disposition, ctype)
    return head.encode() + data + b"\r\n"
