# -*- coding: utf-8 -*-
# Copyright: contributors to bmclock.supermicro
# Apache License 2.0 (see LICENSE)
"""A small Redfish client for Supermicro BMCs (stdlib only, no Ansible imports).

* HTTPS with certificate checking on by default (`ca_path`; `validate_certs=False` only when asked).
* One Redfish session per use (`with RedfishClient(...) as rf:`), logged out in `finally`;
  `auth="basic"` sends Basic credentials instead and checks them once up front.
* Keep-alive connections in a small pool; `get_many` runs `concurrency` GETs at a time, each
  worker on its own persistent connection.
* Retries with exponential backoff on 503 (honouring Retry-After, at most 30 s), and on connections
  reset or refused for GETs (a write may already have been applied); never on 401/403: after one
  refused credential the client sends nothing more (no lockouts, no re-login), and never on 503
  SessionLimitExceeded (a new login would only add to the full session table).
* Deadlines: `timeout` bounds each request as a whole (connect, headers and body, however slowly
  the BMC drips them), `host_timeout` everything the client does for one BMC (`HostTimeout`);
  after `MAX_CONSECUTIVE_TIMEOUTS` requests in a row got no answer the BMC is given up on.
* A response body larger than `max_response_bytes` is refused (`ResponseTooLarge`), not read.
* A GET must answer 200 with a JSON object: an empty body, HTML or a redirect is an error naming
  the path and the HTTP status, never an empty resource.
* If-Match from the last GET of a path (or given explicitly) on PATCH/POST/DELETE; multipart
  upload; task polling that understands Supermicro's 202 `Accepted` bodies.
* Errors name host, method, path, HTTP status and the `@Message.ExtendedInfo` messages.
  The password never appears in an exception, a repr or a message.
"""

from __future__ import annotations

import base64
import email.utils
import http.client
import json
import os
import queue
import socket
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
MAX_CONSECUTIVE_TIMEOUTS = 2
MAX_RETRY_AFTER = 30            # seconds; a longer Retry-After is cut to this (and to the host budget)
LOGOUT_TIMEOUT = 5              # seconds; the logout must not hold up an interrupted run
DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024


def retry_after_seconds(value, now=None):
    """Seconds from a Retry-After header (delta-seconds or an HTTP date), or None."""
    text = str(value or "").strip()
    if text.isdigit():
        return int(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None or when.tzinfo is None:
        return None
    return max(0, int(when.timestamp() - (time.time() if now is None else now)))


class RedfishError(Exception):
    """A Redfish request that failed: HTTP status >= 400, or no answer (status None)."""

    def __init__(self, host, method, path, status=None, messages=(), message_ids=(), reason=None):
        self.host, self.method, self.path, self.status = host, method, path, status
        self.messages, self.message_ids = list(messages), list(message_ids)
        self.reason = reason or (http.client.responses.get(status, "") if status else "no answer")
        self.retry_after = None   # seconds the BMC asked us to wait (Retry-After), when it said
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
        """The BMC says it has no such resource (404/405/501); not proof it should not have it."""
        return self.status in (404, 405, 501)


class LoginRefused(RedfishError):
    """The BMC refused the credentials (401/403 to the login or the Basic check); never retried."""


class HostTimeout(RedfishError):
    """The BMC's time budget is spent, or it stopped answering (several timeouts in a row)."""

    def __init__(self, host, method, path, seconds, detail=None):
        self.seconds = seconds
        super().__init__(host, method, path, reason="timed out after %d s" % round(seconds),
                         messages=[detail] if detail else ())

    def __str__(self):
        return "%s: %s" % (self.host, self.reason) + (" (%s)" % self.messages[0] if self.messages else "")


class CertificateUntrusted(RedfishError):
    """The BMC's TLS certificate did not verify: trying again cannot help."""


class ResponseTooLarge(RedfishError):
    """The answer is larger than max_response_bytes."""


def _session_limit_hint(error):
    if any(i.endswith("SessionLimitExceeded") for i in error.message_ids):
        error.messages.append("the BMC's session table is full (sessions left open, e.g. by interrupted runs): log them "
                              "out in the BMC web UI (or Redfish SessionService/Sessions) or wait for the session timeout")
    return error


@dataclass
class Response:
    status: int
    headers: dict = field(default_factory=dict)    # lower-case names
    body: dict = field(default_factory=dict)
    problem: str = None                             # why the body is not a JSON object (empty, HTML, ...)

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
                 timeout=30, retries=3, auth="session", concurrency=4, backoff=0.5, host_timeout=None,
                 max_response_bytes=DEFAULT_MAX_RESPONSE_BYTES):
        if auth not in ("session", "basic"):
            raise ValueError("auth must be 'session' or 'basic', not %r" % (auth,))
        for name, value in (("timeout", timeout), ("host_timeout", host_timeout), ("max_response_bytes", max_response_bytes)):
            if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0):
                raise ValueError("%s must be a positive number, not %r" % (name, value))
        if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
            raise ValueError("retries must be an integer >= 0, not %r" % (retries,))
        self.host, self.port, self.username = host, int(port), username
        self.__password = password
        self.timeout, self.retries, self.auth = timeout, int(retries), auth
        self.host_timeout, self.max_response_bytes = host_timeout, int(max_response_bytes)
        self.concurrency, self.backoff = max(1, int(concurrency)), backoff
        self._context = _tls_context(ca_path, validate_certs)
        self._context.sslsocket_class = _DeadlineSocket
        self._started = None            # monotonic time of the first request (the host budget starts)
        self._timeouts = 0              # requests in a row that got no answer
        self._gave_up = None            # the HostTimeout every later request gets
        self._closed = False
        self._active = set()            # connections with a request in flight (cut when giving up)
        self._idle = queue.LifoQueue()
        self._lock = threading.RLock()     # re-entrant: close() may run in a signal handler of a thread holding it
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
        self._closed = False
        try:
            self.login()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc_info):
        self.close()

    def login(self):
        """One attempt: a refused login is never retried (BMCs lock accounts out after 3)."""
        try:
            if self.auth == "basic":
                # One authenticated GET checks the credentials before get_many sends several at once.
                self.get("/redfish/v1/SessionService")
                return
            response = self._send("POST", SESSIONS, {"UserName": self.username, "Password": self.__password})
        except RedfishError as exc:
            if exc.status in (401, 403) and not exc.not_licensed:
                refused = LoginRefused(exc.host, exc.method, exc.path, exc.status, exc.messages, exc.message_ids)
                refused.retry_after = exc.retry_after
                raise refused from None
            raise
        self._token = response.headers.get("x-auth-token")
        if not self._token:
            raise RedfishError(self.where, "POST", SESSIONS, response.status, reason="no X-Auth-Token in the answer")
        location = response.headers.get("location") or response.body.get("@odata.id")
        self._session_uri = urlsplit(location).path if location else None

    def logout(self):
        """Ends the session (one DELETE, at most LOGOUT_TIMEOUT s, outside the host budget)."""
        with self._lock:
            token, uri = self._token, self._session_uri
            self._session_uri = None
        try:
            if token and uri and not self._refused:
                self._send("DELETE", uri, timeout=min(self.timeout, LOGOUT_TIMEOUT), attempts=1, budget=False)
        except RedfishError:
            pass    # the session expires on the BMC by itself (SessionTimeout)
        finally:
            self._token = None

    def follow(self, host, within=60, interval=2):
        """Follows the BMC to its new address `host`: a fresh login there, tried again while its
        network restarts (no answer) until `within` seconds have passed; then the session of the
        old address is ended over the new one. Until that login works the client stays with the
        old address (RedfishError); a refused login or an untrusted certificate is final."""
        old = (self.host, self._token, self._session_uri)
        deadline, timeout = time.monotonic() + within, self.timeout
        self.timeout = min(timeout, 10)
        try:
            while True:
                self._drop_idle()
                self.host, self._token, self._session_uri = host, None, None
                try:
                    self._timeouts = 0      # silence is expected while the address changes
                    self.login()
                    break
                except RedfishError as exc:
                    final = exc.status is not None or isinstance(exc, (CertificateUntrusted, HostTimeout))
                    if final or time.monotonic() + interval >= deadline:
                        self._drop_idle()
                        self.host, self._token, self._session_uri = old
                        raise
                    time.sleep(interval)
        finally:
            self.timeout = timeout
        if old[2] and old[1]:
            try:
                self._send("DELETE", old[2], attempts=1, budget=False)
            except RedfishError:
                pass    # it expires on the BMC by itself (SessionTimeout)

    def _drop_idle(self):
        while True:
            try:
                self._idle.get_nowait().close()
            except queue.Empty:
                return

    def close(self):
        """Logs out and drops the connections: idempotent, bounded, safe from a signal handler."""
        if self._closed:
            return
        self._closed = True
        with self._lock:
            self._cut()
        self.logout()
        executor, self._executor = self._executor, None
        if executor:
            executor.shutdown(wait=False, cancel_futures=True)
        self._drop_idle()

    # -- requests ----------------------------------------------------------------------------

    def get(self, path):
        """The JSON object at path; RedfishError for anything else (HTML, empty, redirect, ...)."""
        path = _path(path)
        response = self._send("GET", path)
        if response.status != 200 or response.problem:
            where = response.headers.get("location")
            reason = "%s: %s" % (http.client.responses.get(response.status, "?"), response.problem) if response.problem else ""
            if 300 <= response.status < 400:
                reason = "%s: redirect to %s, not followed" % (http.client.responses.get(response.status, "?"), where)
            raise RedfishError(self.where, "GET", path, response.status, reason=reason or None)
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

        Fields go first (Supermicro wants UpdateParameters before the image). A field value that is
        not text is sent as JSON. A file is a path or (filename, open binary file), streamed from
        disk in 1 MiB chunks behind a Content-Length (no chunked encoding, never the whole image in
        memory), or (filename, bytes).
        """
        boundary = uuid.uuid4().hex
        pieces = []     # bytes, or an open file streamed from its current position
        for name, value in (fields or {}).items():
            if isinstance(value, (str, bytes)):
                data, ctype = (value.encode() if isinstance(value, str) else value), "text/plain"
            else:
                data, ctype = json.dumps(value).encode(), "application/json"
            pieces.append(_part(boundary, 'name="%s"' % name, ctype, data))
        opened = []
        try:
            for name, source in (files or {}).items():
                if isinstance(source, (str, os.PathLike)):
                    opened.append(open(source, "rb"))
                    source = (os.path.basename(source), opened[-1])
                filename, data = source
                disposition = 'name="%s"; filename="%s"' % (name, filename)
                if isinstance(data, (bytes, bytearray)):
                    pieces.append(_part(boundary, disposition, "application/octet-stream", bytes(data)))
                else:
                    pieces += [_part(boundary, disposition, "application/octet-stream", b"")[:-2], data, b"\r\n"]
            pieces.append(b"--%s--\r\n" % boundary.encode())
            length = sum(len(p) if isinstance(p, bytes) else os.fstat(p.fileno()).st_size - p.tell() for p in pieces)
            headers = {"Content-Type": "multipart/form-data; boundary=%s" % boundary, "Content-Length": str(length)}
            return self._send("POST", _path(path), raw=_Stream(pieces), headers=headers, timeout=timeout)
        finally:
            for handle in opened:
                handle.close()

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
            self._timeouts = 0      # silence is expected while the BMC restarts: not a reason to give up
            try:
                body = self.get(uri)
            except RedfishError as exc:
                if isinstance(exc, HostTimeout) or exc.status not in (None, 503) or time.monotonic() >= deadline:
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

    def _send(self, method, path, body=None, headers=None, raw=None, timeout=None, attempts=None, budget=True):
        if self._refused:
            raise RedfishError(self.where, method, path, 401, reason="not sent: the BMC refused the credentials earlier")
        payload = raw if body is None else json.dumps(body).encode()
        headers = self._headers(headers)
        if body is not None:
            headers["Content-Type"] = "application/json"
        attempts = self.retries + 1 if attempts is None else attempts
        for attempt in range(attempts):
            if self._closed and budget:     # closed (e.g. an interrupted run): nothing new is sent, no retry either
                raise RedfishError(self.where, method, path, reason="not sent: the client was closed")
            deadline, by_budget = self._deadline(method, path, timeout or self.timeout, budget)
            conn = self._connection(deadline)
            with self._lock:
                self._requests += 1
                self._active.add(conn)
            try:
                if conn.sock is None:
                    conn.connect()
                if getattr(conn, "cut", False):     # cut (close, giving up) while connecting
                    raise ConnectionAbortedError("the request was cut")
                conn.sock.deadline = deadline
                conn.request(method, path, body=payload, headers=headers)
                answer = conn.getresponse()
                data = self._read(answer, method, path)
            except ssl.SSLCertVerificationError as exc:
                self._done(conn, close=True)
                reason = "TLS certificate not trusted (%s); set ca_path to the CA that signed it" % (exc.verify_message or exc.reason)
                raise CertificateUntrusted(self.where, method, path, reason=reason) from None
            except (TimeoutError, socket.timeout):
                self._done(conn, close=True)
                raise self._timed_out(method, path, timeout or self.timeout, by_budget, budget) from None
            except ResponseTooLarge:
                self._done(conn, close=True)
                raise
            except _TRANSIENT as exc:
                self._done(conn, close=True)
                self._raise_if_given_up(method, path, budget)
                if attempt < attempts - 1 and method in _REPLAYABLE:
                    self._pause(attempt)
                    continue
                raise RedfishError(self.where, method, path, reason="connection failed: %s" % (exc or type(exc).__name__)) from None
            except OSError as exc:
                self._done(conn, close=True)
                self._raise_if_given_up(method, path, budget)
                raise RedfishError(self.where, method, path, reason="connection failed: %s" % exc) from None
            self._timeouts = 0
            self._done(conn)
            self._release(conn, answer)
            body, problem = _json(data, answer.getheader("content-type"))
            response = Response(answer.status, {k.lower(): v for k, v in answer.getheaders()}, body, problem)
            if answer.status == 503 and attempt < attempts - 1:
                error = self._error(method, path, response)
                if any(i.endswith("SessionLimitExceeded") for i in error.message_ids):
                    raise _session_limit_hint(error)
                self._pause(attempt, response.headers.get("retry-after"))
                continue
            if answer.status >= 400:
                raise _session_limit_hint(self._error(method, path, response))
            return response

    def _deadline(self, method, path, timeout, budget):
        """(deadline of this request, True when the host budget sets it); HostTimeout when spent."""
        now = time.monotonic()
        if self._started is None:
            self._started = now
        if not budget:
            return now + timeout, False
        if self._gave_up:
            raise HostTimeout(self.where, method, path, self._gave_up.seconds, self._gave_up.messages[0])
        if self.host_timeout is not None:
            end = self._started + self.host_timeout
            if end <= now:
                raise HostTimeout(self.where, method, path, self.host_timeout)
            if end < now + timeout:
                return end, True
        return now + timeout, False

    def _timed_out(self, method, path, timeout, by_budget, budget):
        if by_budget:
            return HostTimeout(self.where, method, path, self.host_timeout)
        with self._lock:
            self._timeouts += 1
            if budget and self._timeouts >= MAX_CONSECUTIVE_TIMEOUTS and not self._gave_up:
                self._gave_up = HostTimeout(self.where, method, path, time.monotonic() - self._started,
                                            "%d requests in a row got no answer within %gs" % (self._timeouts, timeout))
                self._cut()     # the requests still in flight would only wait for the same silence
        return RedfishError(self.where, method, path, reason="no answer within %gs" % timeout)

    def _raise_if_given_up(self, method, path, budget):
        if budget and self._gave_up:
            raise HostTimeout(self.where, method, path, self._gave_up.seconds, self._gave_up.messages[0]) from None

    def _done(self, conn, close=False):
        with self._lock:
            self._active.discard(conn)
        if close:
            conn.close()

    def _cut(self):
        """Ends every request in flight (their threads see a closed connection at once)."""
        for conn in list(self._active):
            conn.cut = True
            try:
                if conn.sock:
                    conn.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def _read(self, answer, method, path):
        """The body, refused beyond max_response_bytes (announced or actually sent)."""
        length = answer.getheader("content-length")
        too_large = ResponseTooLarge(self.where, method, path, answer.status,
                                     reason="answer larger than the %d bytes allowed (max_response_bytes)" % self.max_response_bytes)
        if length and length.isdigit() and int(length) > self.max_response_bytes:
            raise too_large
        chunks, size = [], 0
        while True:
            chunk = answer.read1(65536) if answer.length != 0 else b""
            if not chunk:
                # Python 3.11's read1() leaves a response read to its Content-Length open, and the
                # kept-alive connection then refuses the next request (ResponseNotReady): close it.
                answer.close()
                return b"".join(chunks)
            size += len(chunk)
            if size > self.max_response_bytes:
                raise too_large
            chunks.append(chunk)

    def _connection(self, deadline):
        try:
            conn = self._idle.get_nowait()
        except queue.Empty:
            conn = http.client.HTTPSConnection(self.host, self.port, timeout=self.timeout, context=self._context)
        # connect() uses conn.timeout; every later read or write is bounded by sock.deadline
        conn.timeout = max(0.001, deadline - time.monotonic())
        return conn

    def _release(self, conn, answer):
        if answer.will_close or self._closed:
            conn.close()
            return
        if conn.sock:
            conn.sock.deadline = None
        self._idle.put(conn)

    def _pause(self, attempt, retry_after=None):
        wait = min(self.backoff * 2 ** attempt, 10)
        seconds = retry_after_seconds(retry_after)
        if seconds is not None:
            wait = min(seconds, MAX_RETRY_AFTER)
        if self.host_timeout is not None and self._started is not None:
            wait = min(wait, max(0, self._started + self.host_timeout - time.monotonic()))
        time.sleep(wait)

    def _error(self, method, path, response):
        if response.status == 401:
            self._refused = True
        body = response.body if isinstance(response.body, dict) else {}
        error = body.get("error") if isinstance(body.get("error"), dict) else body
        info = [i for i in error.get("@Message.ExtendedInfo") or [] if isinstance(i, dict)]
        messages = [i.get("Message") or "" for i in info]
        if not any(messages):
            # Supermicro writes the summary as "Message" (DMTF: "message").
            summary = error.get("Message") or error.get("message")
            messages = [summary] if summary else []
        if self.__password:  # Base messages echo rejected values: never carry the password on
            messages = [str(m).replace(self.__password, "********") for m in messages]
        error = RedfishError(self.where, method, path, response.status, messages, [i.get("MessageId") or "" for i in info])
        error.retry_after = retry_after_seconds(response.headers.get("retry-after"))
        return error


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


def _json(data, content_type=None):
    """(body, problem): the JSON object, or {} and why the body is not one."""
    if not data or not data.strip():
        return {}, "empty body"
    try:
        body = json.loads(data)
    except ValueError:   # X11 answers unknown URIs with an HTML page
        return {}, "not JSON (%s, %d bytes)" % ((content_type or "no content type").split(";")[0], len(data))
    if not isinstance(body, dict):
        return {"value": body}, "JSON %s, not an object" % type(body).__name__
    return body, None


class _DeadlineSocket(ssl.SSLSocket):
    """Every read and write waits only until `deadline` (monotonic), so a BMC that drips one
    byte at a time cannot stretch a request beyond its timeout."""

    deadline = None

    def _bound(self):
        if self.deadline is not None:
            left = self.deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("deadline passed")
            self.settimeout(left)

    def recv_into(self, buffer, nbytes=None, flags=0):
        self._bound()
        return super().recv_into(buffer, nbytes, flags)

    def recv(self, buflen=1024, flags=0):
        self._bound()
        return super().recv(buflen, flags)

    def sendall(self, data, flags=0):
        self._bound()
        return super().sendall(data, flags)


def _part(boundary, disposition, ctype, data):
    head = "--%s\r\nContent-Disposition: form-data; %s\r\nContent-Type: %s\r\n\r\n" % (boundary, disposition, ctype)
    return head.encode() + data + b"\r\n"


class _Stream:
    """A multipart body sent piece by piece, files in 1 MiB reads; iterable again from the start
    (the client sends a request again after a 503)."""

    def __init__(self, pieces):
        self.pieces = [(p, None if isinstance(p, bytes) else p.tell()) for p in pieces]

    def __iter__(self):
        for piece, start in self.pieces:
            if start is None:
                yield piece
                continue
            piece.seek(start)
            yield from iter(lambda: piece.read(1 << 20), b"")
