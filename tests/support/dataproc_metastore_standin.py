#!/usr/bin/env python3
"""A local STAND-IN for two Google endpoints, for the Dataproc Metastore tests. It is not
Google's code: it was written from Google's published references and serves only what
the dataproc provider uses.

  * Dataproc Metastore REST API v1, projects.locations.services.get:
      GET /v1/projects/{project}/locations/{location}/services/{service}
    answers a Service resource ({"name", "endpointUri", "port", "state",
    "hiveMetastoreConfig": {"version", "endpointProtocol"}}) or Google's error shape
    {"error": {"code", "message", "status"}} (404 NOT_FOUND, 403 PERMISSION_DENIED,
    401 UNAUTHENTICATED without a token it issued).
  * Google's OAuth 2.0 token endpoint for service accounts (a service-account key's
    "token_uri"): POST /token with grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer
    and assertion=<RS256 JWT>; the JWT's signature is checked against the key's public
    half, and its iss/aud/scope/exp claims; answers {"access_token", "expires_in",
    "token_type": "Bearer"} or {"error": "invalid_grant", ...}.

Usage: dataproc_metastore_standin.py CONFIG.json PORT_FILE
CONFIG: {"public_key_pem": str, "client_email": str, "services": {name: Service},
         "denied": [name, ...]}. The chosen loopback port is written to PORT_FILE;
GET /__standin/stats answers the counts of tokens issued and service lookups.
"""

import base64
import http.server
import json
import sys
import threading
import time
import urllib.parse

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
SCOPE = "https://www.googleapis.com/auth/cloud-platform"


def b64url_decode(part):
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


class State:
    def __init__(self, config):
        self.config = config
        self.public_key = serialization.load_pem_public_key(config["public_key_pem"].encode())
        self.tokens = set()
        self.lock = threading.Lock()
        self.stats = {"tokens_issued": 0, "lookups": 0, "rejected_tokens": 0}


class Handler(http.server.BaseHTTPRequestHandler):
    state = None  # set by main

    def log_message(self, fmt, *args):
        pass

    def reply(self, code, body):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def google_error(self, code, status, message):
        self.reply(code, {"error": {"code": code, "message": message, "status": status}})

    def check_assertion(self, jwt, token_uri):
        parts = jwt.split(".")
        if len(parts) != 3:
            return "assertion is not a JWT"
        header = json.loads(b64url_decode(parts[0]))
        claims = json.loads(b64url_decode(parts[1]))
        if header.get("alg") != "RS256":
            return "alg must be RS256"
        try:
            self.state.public_key.verify(b64url_decode(parts[2]), f"{parts[0]}.{parts[1]}".encode(),
                                         padding.PKCS1v15(), hashes.SHA256())
        except Exception:
            return "Invalid JWT Signature."
        if claims.get("iss") != self.state.config["client_email"]:
            return "iss is not the service account"
        if claims.get("aud") != token_uri:
            return f"aud {claims.get('aud')!r} is not the token endpoint {token_uri!r}"
        if SCOPE not in str(claims.get("scope", "")).split():
            return "scope lacks cloud-platform"
        if int(claims.get("exp", 0)) < time.time():
            return "Invalid JWT: Token must be a short-lived token and in a reasonable timeframe"
        return None

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        form = urllib.parse.parse_qs(self.rfile.read(length).decode())
        if self.path != "/token":
            return self.google_error(404, "NOT_FOUND", f"no such path {self.path}")
        token_uri = f"http://127.0.0.1:{self.server.server_port}/token"
        if form.get("grant_type", [""])[0] != GRANT:
            return self.reply(400, {"error": "unsupported_grant_type"})
        problem = self.check_assertion(form.get("assertion", [""])[0], token_uri)
        if problem:
            return self.reply(400, {"error": "invalid_grant", "error_description": problem})
        with self.state.lock:
            self.state.stats["tokens_issued"] += 1
            token = f"ya29.standin-{self.state.stats['tokens_issued']}"
            self.state.tokens.add(token)
        self.reply(200, {"access_token": token, "expires_in": 3599, "token_type": "Bearer"})

    def do_GET(self):
        if self.path == "/__standin/stats":
            with self.state.lock:
                return self.reply(200, dict(self.state.stats))
        parts = self.path.split("?")[0].strip("/").split("/")
        if len(parts) != 7 or parts[0] != "v1" or parts[1] != "projects" or parts[3] != "locations" \
                or parts[5] != "services":
            return self.google_error(404, "NOT_FOUND", f"The requested URL {self.path} was not found.")
        auth = self.headers.get("Authorization", "")
        with self.state.lock:
            self.state.stats["lookups"] += 1
            known = auth.startswith("Bearer ") and auth[7:] in self.state.tokens
            if not known:
                self.state.stats["rejected_tokens"] += 1
        if not known:
            return self.google_error(401, "UNAUTHENTICATED",
                                     "Request had invalid authentication credentials.")
        name = "/".join(parts[1:])
        if name in self.state.config.get("denied", []):
            return self.google_error(403, "PERMISSION_DENIED",
                                     f"Permission 'metastore.services.get' denied on resource '{name}'.")
        service = self.state.config.get("services", {}).get(name)
        if service is None:
            return self.google_error(404, "NOT_FOUND", f"Resource '{name}' was not found")
        self.reply(200, dict(service, name=name))


def main():
    config = json.load(open(sys.argv[1]))
    Handler.state = State(config)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with open(sys.argv[2] + ".tmp", "w") as f:
        f.write(str(server.server_port))
    import os
    os.replace(sys.argv[2] + ".tmp", sys.argv[2])
    server.serve_forever()


if __name__ == "__main__":
    main()
