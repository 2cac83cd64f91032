#!/usr/bin/env python3
"""A small fake Kubernetes API server for KubeClient tests (Python 3 standard library only).

HTTPS with optional client-certificate verification (a verified certificate or a listed bearer
token authenticates), an in-memory object store with a global resourceVersion, list with label and
field selectors and limit/continue pages, watch with replay from a resourceVersion, bookmarks,
410 ERROR events for compacted versions, create/update (409 on a stale resourceVersion)/merge
patch/apply/delete/delete-collection, the serviceaccounts/token subresource, a large streamed body
for back-pressure tests, and an HTTP CONNECT proxy that counts its tunnels.

The test drives it through stdin: one JSON command per line, one JSON answer per line on stdout.
The first stdout line is {"port": N, "proxyPort": M}.
"""
import argparse
import base64
import json
import re
import socket
import ssl
import sys
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

LOCK = threading.Condition()
STATE = {
    "rv": 100,
    "objects": {},          # (group, version, resource, namespace, name) -> object
    "events": [],           # (rv, type, (group, version, resource, namespace), object)
    "compacted": 0,         # watches from a version below this get 410
    "cut": 0,               # bumping it cuts open watches
    "cut_partial": False,
    "end": 0,               # bumping it ends open watches cleanly
    "bookmark": 0,          # bumping it sends a BOOKMARK on open watches
    "failures": [],         # queued {"status", "retryAfter", "match"} answers
    "tokens": set(),
    "requests": [],
    "proxy_tunnels": 0,
}

CLUSTER_SCOPED = {"namespaces"}


def now_rfc3339():
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def status(code, reason, message, details=None):
    body = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": message, "reason": reason, "code": code}
    if details:
        body["details"] = details
    return body


def merge_patch(target, patch):
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def split_selector(text):
    parts, depth, current = [], 0, ""
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    if current:
        parts.append(current)
    return [p.strip() for p in parts if p.strip()]


def label_matches(labels, selector):
    for req in split_selector(selector or ""):
        m = re.match(r"^([^\s!=]+)\s+(in|notin)\s+\((.*)\)$", req)
        if m:
            key, op, values = m.group(1), m.group(2), {v.strip() for v in m.group(3).split(",")}
            if op == "in" and labels.get(key) not in values:
                return False
            if op == "notin" and key in labels and labels[key] in values:
                return False
            continue
        if req.startswith("!"):
            if req[1:] in labels:
                return False
        elif "!=" in req:
            key, value = req.split("!=", 1)
            if labels.get(key) == value:
                return False
        elif "==" in req:
            key, value = req.split("==", 1)
            if labels.get(key) != value:
                return False
        elif "=" in req:
            key, value = req.split("=", 1)
            if labels.get(key) != value:
                return False
        elif labels.get(req) is None:
            return False
    return True


def field_value(obj, path):
    current = obj
    for part in path.split("."):
        if not isinstance(current, dict):
            return None
        current = current.get(part)
    return current


def field_matches(obj, selector):
    for req in split_selector(selector or ""):
        if "!=" in req:
            key, value = req.split("!=", 1)
            if str(field_value(obj, key)) == value:
                return False
        else:
            key, value = req.split("==", 1) if "==" in req else req.split("=", 1)
            if str(field_value(obj, key) or "") != value:
                return False
    return True


def parse_path(path):
    """Returns (group, version, namespace, resource, name, subresource) or None."""
    parts = [unquote(p) for p in path.strip("/").split("/")]
    if len(parts) >= 2 and parts[0] == "api":
        group, version, rest = "", parts[1], parts[2:]
    elif len(parts) >= 3 and parts[0] == "apis":
        group, version, rest = parts[1], parts[2], parts[3:]
    else:
        return None
    namespace = None
    if len(rest) >= 3 and rest[0] == "namespaces":
        namespace, rest = rest[1], rest[2:]
    elif len(rest) == 2 and rest[0] == "namespaces":
        # /api/v1/namespaces/{name}: the namespace object itself
        return group, version, None, "namespaces", rest[1], None
    if not rest:
        return None
    resource = rest[0]
    name = rest[1] if len(rest) > 1 else None
    sub = rest[2] if len(rest) > 2 else None
    return group, version, namespace, resource, name, sub


def sort_key(item):
    (_, _, _, namespace, name), _ = item
    return (namespace or "", name)


DNS1123 = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    # ---- plumbing -------------------------------------------------------------------------
    def send_json(self, code, body, headers=None):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        return raw

    def identity(self):
        auth = self.headers.get("Authorization") or ""
        if auth.startswith("Bearer "):
            token = auth[len("Bearer "):]
            with LOCK:
                if token in STATE["tokens"]:
                    return "token:" + token
            return None
        cert = self.connection.getpeercert() if hasattr(self.connection, "getpeercert") else None
        if cert:
            for rdn in cert.get("subject", ()):
                for key, value in rdn:
                    if key == "commonName":
                        return "cert:" + value
        return None

    def handle_any(self, method):
        url = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        raw = self.read_body()
        who = self.identity()
        record = {"method": method, "path": url.path, "query": query,
                  "contentType": self.headers.get("Content-Type"), "identity": who,
                  "body": raw.decode("utf-8", "replace")}
        with LOCK:
            STATE["requests"].append(record)
            # Watches compare against the control counters as of the moment they are logged, so a
            # test that saw the request can rely on a later cut/end/bookmark reaching it.
            counters = (STATE["cut"], STATE["end"], STATE["bookmark"])
            failure = None
            for i, f in enumerate(STATE["failures"]):
                if f.get("match") is None or f["match"] in url.path:
                    if f.get("skip", 0) > 0:
                        f["skip"] -= 1
                        break
                    failure = STATE["failures"].pop(i)
                    break
        if who is None:
            return self.send_json(401, status(401, "Unauthorized", "Unauthorized"))
        if failure is not None:
            headers = {}
            if failure.get("retryAfter") is not None:
                headers["Retry-After"] = str(failure["retryAfter"])
            code = failure["status"]
            reason = failure.get("reason") or ("TooManyRequests" if code == 429 else "InternalError")
            return self.send_json(code, status(code, reason, "injected failure"), headers)
        if url.path == "/_test/stream":
            return self.stream_bytes(int(query.get("bytes", "0")))
        if url.path == "/_test/hang":
            time.sleep(60)  # never answers within the client's timeout
            return self.send_json(200, {})
        parsed = parse_path(url.path)
        if parsed is None:
            return self.send_json(404, status(404, "NotFound", "the server could not find the requested resource"))
        group, version, namespace, resource, name, sub = parsed
        body = None
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                return self.send_json(400, status(400, "BadRequest", "body is not JSON"))
        key = (group, version, resource)
        if method == "GET" and name is None:
            if query.get("watch") in ("1", "true"):
                return self.watch(key, namespace, query, counters)
            return self.list(key, namespace, query)
        if method == "GET":
            return self.get(key, namespace, name)
        if method == "POST" and sub == "token" and resource == "serviceaccounts":
            return self.token(key, namespace, name, body or {})
        if method == "POST" and name is None:
            return self.create(key, namespace, body or {}, query)
        if method == "PUT" and name is not None:
            return self.update(key, namespace, name, sub, body or {}, query)
        if method == "PATCH" and name is not None:
            return self.patch(key, namespace, name, body or {}, query)
        if method == "DELETE" and name is not None:
            return self.delete(key, namespace, name, body or {}, query)
        if method == "DELETE":
            return self.delete_collection(key, namespace, query)
        return self.send_json(405, status(405, "MethodNotAllowed", "method not allowed"))

    def do_GET(self):
        self.handle_any("GET")

    def do_POST(self):
        self.handle_any("POST")

    def do_PUT(self):
        self.handle_any("PUT")

    def do_PATCH(self):
        self.handle_any("PATCH")

    def do_DELETE(self):
        self.handle_any("DELETE")

    # ---- store ----------------------------------------------------------------------------
    @staticmethod
    def bump():
        STATE["rv"] += 1
        return str(STATE["rv"])

    @staticmethod
    def record(event_type, key, namespace, obj):
        STATE["events"].append((int(obj["metadata"]["resourceVersion"]), event_type, key + (namespace,), json.loads(json.dumps(obj))))
        LOCK.notify_all()

    def not_found(self, key, name):
        self.send_json(404, status(404, "NotFound", '%s "%s" not found' % (key[2], name),
                                   {"name": name, "kind": key[2]}))

    def get(self, key, namespace, name):
        with LOCK:
            obj = STATE["objects"].get(key + (namespace, name))
        if obj is None:
            return self.not_found(key, name)
        self.send_json(200, obj)

    def list(self, key, namespace, query):
        with LOCK:
            items = [o for (g, v, r, ns, n), o in sorted(STATE["objects"].items(), key=sort_key)
                     if (g, v, r) == key and (namespace is None or ns == namespace)
                     and label_matches(o["metadata"].get("labels") or {}, query.get("labelSelector"))
                     and field_matches(o, query.get("fieldSelector"))]
            rv = str(STATE["rv"])
            compacted = STATE["compacted"]
        start = 0
        token = query.get("continue")
        if token:
            offset, token_rv = token.split(":")
            if int(token_rv) < compacted:
                return self.send_json(410, status(410, "Expired", "The provided continue parameter is too old"))
            start = int(offset)
        limit = int(query.get("limit") or 0)
        page = items[start:start + limit] if limit else items[start:]
        meta = {"resourceVersion": rv}
        if limit and start + limit < len(items):
            meta["continue"] = "%d:%s" % (start + limit, rv)
            meta["remainingItemCount"] = len(items) - start - limit
        self.send_json(200, {"kind": "List", "apiVersion": key[1], "metadata": meta, "items": page})

    def create(self, key, namespace, body, query):
        meta = body.setdefault("metadata", {})
        if not meta.get("name") and meta.get("generateName"):
            meta["name"] = meta["generateName"] + uuid.uuid4().hex[:5]
        name = meta.get("name") or ""
        if not DNS1123.match(name) or len(name) > 253:
            return self.send_json(422, status(422, "Invalid", '%s "%s" is invalid: metadata.name: Invalid value' % (key[2], name),
                                              {"name": name, "causes": [{"reason": "FieldValueInvalid", "field": "metadata.name",
                                                                         "message": "Invalid value"}]}))
        with LOCK:
            if key + (namespace, name) in STATE["objects"]:
                return self.send_json(409, status(409, "AlreadyExists", '%s "%s" already exists' % (key[2], name),
                                                  {"name": name, "kind": key[2]}))
            meta["namespace"] = namespace
            if namespace is None:
                meta.pop("namespace")
            meta["uid"] = str(uuid.uuid4())
            meta["creationTimestamp"] = now_rfc3339()
            meta["generation"] = 1
            if query.get("dryRun") == "All":
                meta["resourceVersion"] = ""
                return self.send_json(201, body)
            meta["resourceVersion"] = self.bump()
            STATE["objects"][key + (namespace, name)] = body
            self.record("ADDED", key, namespace, body)
        self.send_json(201, body)

    def update(self, key, namespace, name, sub, body, query):
        with LOCK:
            current = STATE["objects"].get(key + (namespace, name))
            if current is None:
                return self.not_found(key, name)
            sent = (body.get("metadata") or {}).get("resourceVersion")
            if sent and sent != current["metadata"]["resourceVersion"]:
                return self.send_json(409, status(409, "Conflict",
                                                  'Operation cannot be fulfilled on %s "%s": the object has been modified; '
                                                  'please apply your changes to the latest version and try again' % (key[2], name),
                                                  {"name": name, "kind": key[2]}))
            if sub == "status":
                new = dict(current)
                new["status"] = body.get("status")
            else:
                new = body
                new.setdefault("metadata", {})
                for keep in ("uid", "creationTimestamp", "namespace"):
                    if keep in current["metadata"]:
                        new["metadata"][keep] = current["metadata"][keep]
                if new.get("spec") != current.get("spec"):
                    new["metadata"]["generation"] = current["metadata"].get("generation", 1) + 1
            if query.get("dryRun") == "All":
                return self.send_json(200, new)
            new["metadata"]["resourceVersion"] = self.bump()
            STATE["objects"][key + (namespace, name)] = new
            self.record("MODIFIED", key, namespace, new)
        self.send_json(200, new)

    def patch(self, key, namespace, name, body, query):
        content_type = self.headers.get("Content-Type") or ""
        with LOCK:
            current = STATE["objects"].get(key + (namespace, name))
            if current is None and "apply-patch" not in content_type:
                return self.not_found(key, name)
            if current is None:
                body.setdefault("metadata", {})["namespace"] = namespace
                if namespace is None:
                    body["metadata"].pop("namespace")
                body["metadata"]["uid"] = str(uuid.uuid4())
                body["metadata"]["creationTimestamp"] = now_rfc3339()
                new, event = body, "ADDED"
            else:
                new, event = merge_patch(current, body), "MODIFIED"
            if query.get("dryRun") == "All":
                return self.send_json(200, new)
            new["metadata"]["resourceVersion"] = self.bump()
            STATE["objects"][key + (namespace, name)] = new
            self.record(event, key, namespace, new)
        self.send_json(201 if event == "ADDED" else 200, new)

    def delete(self, key, namespace, name, body, query):
        with LOCK:
            current = STATE["objects"].get(key + (namespace, name))
            if current is None:
                return self.not_found(key, name)
            pre = body.get("preconditions") or {}
            if (pre.get("uid") and pre["uid"] != current["metadata"]["uid"]) or \
                    (pre.get("resourceVersion") and pre["resourceVersion"] != current["metadata"]["resourceVersion"]):
                return self.send_json(409, status(409, "Conflict", "Precondition failed", {"name": name, "kind": key[2]}))
            if query.get("dryRun") == "All":
                return self.send_json(200, current)
            del STATE["objects"][key + (namespace, name)]
            current["metadata"]["resourceVersion"] = self.bump()
            self.record("DELETED", key, namespace, current)
        self.send_json(200, {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
                             "details": {"name": name, "kind": key[2]}})

    def delete_collection(self, key, namespace, query):
        with LOCK:
            doomed = [(k, o) for k, o in STATE["objects"].items()
                      if k[:3] == key and (namespace is None or k[3] == namespace)
                      and label_matches(o["metadata"].get("labels") or {}, query.get("labelSelector"))]
            if query.get("dryRun") != "All":
                for k, o in doomed:
                    del STATE["objects"][k]
                    o["metadata"]["resourceVersion"] = self.bump()
                    self.record("DELETED", key, k[3], o)
        self.send_json(200, {"kind": "List", "apiVersion": key[1], "metadata": {}, "items": [o for _, o in doomed]})

    def token(self, key, namespace, name, body):
        with LOCK:
            if key + (namespace, name) not in STATE["objects"]:
                return self.not_found(key, name)
        spec = body.get("spec") or {}
        seconds = spec.get("expirationSeconds") or 3600
        expiry = (datetime.now(timezone.utc) + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")
        token = "sa-%s-%s-%s" % (name, ",".join(spec.get("audiences") or []), uuid.uuid4().hex[:6])
        body["status"] = {"token": token, "expirationTimestamp": expiry}
        self.send_json(201, body)

    # ---- streaming ------------------------------------------------------------------------
    def start_chunked(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

    def chunk(self, data):
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def cut(self):
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.close_connection = True

    def watch(self, key, namespace, query, counters):
        since = int(query.get("resourceVersion") or 0)
        bookmarks = query.get("allowWatchBookmarks") == "true"
        timeout = int(query.get("timeoutSeconds") or 0)
        deadline = time.time() + timeout if timeout else None
        with LOCK:
            cut, end, bookmark = counters
            expired = query.get("resourceVersion") not in (None, "", "0") and since < STATE["compacted"]
            if not query.get("resourceVersion"):
                # No version: synthetic ADDED events for what exists, then changes.
                backlog = [("ADDED", o) for k, o in sorted(STATE["objects"].items(), key=sort_key)
                           if k[:3] == key and (namespace is None or k[3] == namespace)]
                since = STATE["rv"]
            else:
                backlog = []
        self.start_chunked()
        if expired:
            self.chunk((json.dumps({"type": "ERROR", "object": status(410, "Expired", "too old resource version: %d" % since)}) + "\n").encode())
            self.chunk(b"")
            return
        labels = query.get("labelSelector")
        try:
            for event_type, obj in backlog:
                if label_matches(obj["metadata"].get("labels") or {}, labels):
                    self.chunk((json.dumps({"type": event_type, "object": obj}) + "\n").encode())
            while True:
                with LOCK:
                    pending = [(rv, t, o) for rv, t, k, o in STATE["events"]
                               if rv > since and k[:3] == key and (namespace is None or k[3] == namespace)]
                    if not pending and STATE["cut"] == cut and STATE["end"] == end and STATE["bookmark"] == bookmark:
                        LOCK.wait(0.2)
                        pending = [(rv, t, o) for rv, t, k, o in STATE["events"]
                                   if rv > since and k[:3] == key and (namespace is None or k[3] == namespace)]
                    cut_now, end_now, bookmark_now = STATE["cut"] != cut, STATE["end"] != end, STATE["bookmark"] != bookmark
                    partial = STATE["cut_partial"]
                    current_rv = STATE["rv"]
                for rv, event_type, obj in pending:
                    since = rv
                    if label_matches(obj["metadata"].get("labels") or {}, labels):
                        self.chunk((json.dumps({"type": event_type, "object": obj}) + "\n").encode())
                if bookmark_now:
                    bookmark = STATE["bookmark"]
                    if bookmarks:
                        since = max(since, current_rv)
                        self.chunk((json.dumps({"type": "BOOKMARK", "object": {"kind": "Pod", "apiVersion": "v1",
                                                                               "metadata": {"resourceVersion": str(current_rv)}}}) + "\n").encode())
                if cut_now:
                    if partial:
                        self.chunk(b'{"type":"ADDED","object":{"metadata":{"name":"half')
                    return self.cut()
                if end_now or (deadline and time.time() >= deadline):
                    self.chunk(b"")
                    return
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
            self.close_connection = True

    def stream_bytes(self, total):
        self.start_chunked()
        block = bytes(range(256)) * 256  # 64 KiB
        sent = 0
        try:
            while sent < total:
                piece = block[: min(len(block), total - sent)]
                self.chunk(piece)
                sent += len(piece)
            self.chunk(b"")
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
            self.close_connection = True


class TLSServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, context):
        self.context = context
        super().__init__(address, Handler)

    def finish_request(self, request, client_address):
        # The TLS handshake runs in the worker thread, not the accept loop.
        try:
            tls = self.context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return
        try:
            Handler(tls, client_address, self)
        finally:
            try:
                tls.close()
            except OSError:
                pass


def pipe(a, b):
    try:
        while True:
            data = a.recv(65536)
            if not data:
                break
            b.sendall(data)
    except OSError:
        pass
    finally:
        for s in (a, b):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def proxy_client(conn):
    try:
        head = b""
        while b"\r\n\r\n" not in head:
            data = conn.recv(4096)
            if not data:
                conn.close()
                return
            head += data
        line = head.split(b"\r\n", 1)[0].decode()
        method, target, _ = line.split(" ", 2)
        if method != "CONNECT":
            conn.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
            conn.close()
            return
        host, port = target.rsplit(":", 1)
        upstream = socket.create_connection((host.strip("[]"), int(port)))
        with LOCK:
            STATE["proxy_tunnels"] += 1
        conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        threading.Thread(target=pipe, args=(upstream, conn), daemon=True).start()
        pipe(conn, upstream)
    except OSError:
        conn.close()


def run_proxy(listener):
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=proxy_client, args=(conn,), daemon=True).start()


def command(cmd):
    name = cmd.get("cmd")
    with LOCK:
        if name == "tokens":
            STATE["tokens"] = set(cmd.get("tokens") or [])
        elif name == "fail":
            for _ in range(cmd.get("count", 1)):
                STATE["failures"].append({"status": cmd["status"], "retryAfter": cmd.get("retryAfter"), "match": cmd.get("match"),
                                          "reason": cmd.get("reason"), "skip": cmd.get("skip", 0)})
        elif name == "requests":
            return {"requests": STATE["requests"]}
        elif name == "clear-requests":
            STATE["requests"] = []
        elif name == "cut":
            STATE["cut"] += 1
            STATE["cut_partial"] = bool(cmd.get("partial"))
            LOCK.notify_all()
        elif name == "end":
            STATE["end"] += 1
            LOCK.notify_all()
        elif name == "bookmark":
            STATE["bookmark"] += 1
            LOCK.notify_all()
        elif name == "compact":
            # Every version before a fresh current one is gone; the current one stays watchable.
            STATE["rv"] += 1
            STATE["compacted"] = STATE["rv"]
            STATE["events"] = []
        elif name == "remove":
            # Delete without a watch event, as if it happened while nobody watched.
            parsed = parse_path(cmd["path"])
            group, version, namespace, resource, obj_name, _ = parsed
            STATE["objects"].pop((group, version, resource, namespace, obj_name), None)
            STATE["rv"] += 1
        elif name == "rv":
            return {"rv": STATE["rv"]}
        elif name == "stats":
            return {"proxyTunnels": STATE["proxy_tunnels"]}
        else:
            return {"error": "unknown command %s" % name}
    return {"ok": True}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--client-ca", required=True)
    parser.add_argument("--token", action="append", default=[])
    args = parser.parse_args()
    STATE["tokens"] = set(args.token)

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(args.cert, args.key)
    context.load_verify_locations(args.client_ca)
    context.verify_mode = ssl.CERT_OPTIONAL
    server = TLSServer(("127.0.0.1", 0), context)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    proxy = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    proxy.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    proxy.bind(("127.0.0.1", 0))
    proxy.listen(16)
    threading.Thread(target=run_proxy, args=(proxy,), daemon=True).start()

    print(json.dumps({"port": server.server_address[1], "proxyPort": proxy.getsockname()[1]}), flush=True)
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            answer = command(json.loads(line))
        except Exception as error:  # answer every command, even a broken one
            answer = {"error": repr(error)}
        print(json.dumps(answer), flush=True)
    # stdin closed: the test is done with us.


if __name__ == "__main__":
    main()
