#!/usr/bin/env python3
"""A small HTTP proxy in front of the moto Glue server that answers Glue's throttling
error for a number of requests before forwarding, to test the client's retries, and
pages GetTables/GetDatabases answers the way Glue does (moto 5.2 returns them whole).

A throttled request gets what Glue sends when its rate limit is hit: HTTP 400,
x-amzn-ErrorType: ThrottlingException, body {"__type": "ThrottlingException",
"message": "Rate exceeded"}. Other requests are forwarded unchanged to the upstream
(moto does not check signatures, so the Host the client signed does not matter).

Paging: for AWSGlue.GetTables and AWSGlue.GetDatabases the proxy asks moto for the whole
list and answers MaxResults entries (default 100, Glue's page size) with an opaque
NextToken ("proxy-page:<offset>") while more remain. Other operations pass unchanged
(moto pages GetPartitions itself).

Control (not forwarded): POST /__proxy/throttle?next=N throttles the next N requests
(N=-1: every request until reset); GET /__proxy/stats answers {"throttled", "forwarded",
"timestamps", "requests"}: the arrival times of throttled requests (to see the back-off)
and, per forwarded request, its operation and the access key id and region it was
signed with.

Usage: throttle_proxy.py UPSTREAM_PORT PORT_FILE
"""

import http.client
import http.server
import json
import os
import sys
import threading
import time
import urllib.parse


class Proxy(http.server.BaseHTTPRequestHandler):
    upstream_port = 0
    lock = threading.Lock()
    remaining = 0
    stats = {"throttled": 0, "forwarded": 0, "timestamps": [], "requests": []}

    def log_message(self, fmt, *args):
        pass

    def reply(self, code, body, headers=()):
        data = json.dumps(body).encode()
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/__proxy/stats":
            with Proxy.lock:
                return self.reply(200, Proxy.stats)
        self.forward(b"")

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        url = urllib.parse.urlparse(self.path)
        if url.path == "/__proxy/throttle":
            with Proxy.lock:
                Proxy.remaining = int(urllib.parse.parse_qs(url.query)["next"][0])
                Proxy.stats = {"throttled": 0, "forwarded": 0, "timestamps": [], "requests": []}
            return self.reply(200, {"ok": True})
        with Proxy.lock:
            throttle = Proxy.remaining != 0
            if throttle:
                Proxy.remaining -= 1 if Proxy.remaining > 0 else 0
                Proxy.stats["throttled"] += 1
                Proxy.stats["timestamps"].append(time.time())
            else:
                Proxy.stats["forwarded"] += 1
                Proxy.stats["requests"].append([self.operation(body)] + self.credential())
        if throttle:
            return self.reply(400, {"__type": "ThrottlingException", "message": "Rate exceeded"},
                              [("Content-Type", "application/x-amz-json-1.1"),
                               ("x-amzn-ErrorType", "ThrottlingException"),
                               ("x-amzn-RequestId", "throttle-proxy")])
        target = self.headers.get("X-Amz-Target", "")
        if target in ("AWSGlue.GetTables", "AWSGlue.GetDatabases"):
            return self.paged(body, "TableList" if target.endswith("Tables") else "DatabaseList")
        self.forward(body)

    def operation(self, body):
        """AWSGlue.GetTables (JSON protocol) or AssumeRole (STS's query protocol)."""
        target = self.headers.get("X-Amz-Target")
        if target:
            return target
        return urllib.parse.parse_qs(body.decode(errors="replace")).get("Action", ["?"])[0]

    def credential(self):
        """[access key id, region] of the SigV4 signature (Credential=KEY/DATE/REGION/...)."""
        auth = self.headers.get("Authorization", "")
        start = auth.find("Credential=")
        scope = auth[start + 11:].split(",")[0].split("/") if start >= 0 else []
        return [scope[0], scope[2]] if len(scope) > 2 else ["", ""]

    def paged(self, body, list_key):
        request = json.loads(body or b"{}")
        token = request.pop("NextToken", None)
        size = int(request.pop("MaxResults", 0) or 100)
        offset = int(token.split(":")[1]) if token and token.startswith("proxy-page:") else 0
        status, headers, data = self.exchange(json.dumps(request).encode())
        if status != 200:
            return self.send(status, headers, data)
        answer = json.loads(data)
        items = answer.get(list_key, [])
        answer[list_key] = items[offset:offset + size]
        if offset + size < len(items):
            answer["NextToken"] = f"proxy-page:{offset + size}"
        self.send(status, headers, json.dumps(answer).encode())

    def exchange(self, body):
        conn = http.client.HTTPConnection("127.0.0.1", Proxy.upstream_port, timeout=60)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("connection", "content-length")}
        headers["Content-Length"] = str(len(body))
        conn.request(self.command, self.path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        conn.close()
        return response.status, response.getheaders(), data

    def send(self, status, headers, data):
        self.send_response(status)
        for k, v in headers:
            if k.lower() not in ("transfer-encoding", "connection", "content-length", "server", "date"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def forward(self, body):
        self.send(*self.exchange(body))


def main():
    Proxy.upstream_port = int(sys.argv[1])
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
    with open(sys.argv[2] + ".tmp", "w") as f:
        f.write(str(server.server_port))
    os.replace(sys.argv[2] + ".tmp", sys.argv[2])
    server.serve_forever()


if __name__ == "__main__":
    main()
