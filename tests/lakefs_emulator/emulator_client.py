"""Test helper for the lakeFS EMULATOR (lakefs_emulator.py) -- not a lakeFS client for production.

Starts and stops the emulator as a subprocess on a free loopback port, and wraps
its lakeFS-style API and its test-only /_emulator/ control endpoints.

    from emulator_client import LakeFSEmulator, LakeFSError
    emu = LakeFSEmulator(repositories=["repo1"]).start()
    emu.write_object("repo1", "main", "data/a.parquet", b"hello")
    c = emu.commit("repo1", "main", "add a", metadata={"arbor.commit": "abc"})
    emu.inject_fault("commit", "drop_after_apply")     # the next commit is applied, reply lost
    ...
    emu.cleanup()

Python 3 standard library only.
"""

import base64
import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from urllib.parse import quote, urlencode

HERE = os.path.dirname(os.path.abspath(__file__))
EMULATOR = os.path.join(HERE, "lakefs_emulator.py")
PYTHON = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable


class LakeFSError(Exception):
    """A non-2xx answer: status, message (from {"message": ...}) and the decoded body."""

    def __init__(self, status, message, body=None):
        super().__init__("HTTP %s: %s" % (status, message))
        self.status = status
        self.message = message
        self.body = body


def seg(s):
    return quote(s, safe="")


class LakeFSEmulator:
    """One emulator process. Keeps its --state-file across restart() when one is used."""

    def __init__(self, repositories=("repo1",), access_key_id="AKIAEMULATOR",
                 secret_access_key="emulator-secret", state_file=None, persist=False,
                 extra_args=None, timeout=30.0):
        self.repositories = list(repositories)
        self.access_key_id = access_key_id
        self.secret_access_key = secret_access_key
        self.tmp_dir = None
        if state_file is None and persist:
            self.tmp_dir = tempfile.mkdtemp(prefix="lakefs-emu-")
            state_file = os.path.join(self.tmp_dir, "state.json")
        self.state_file = state_file
        self.extra_args = list(extra_args or [])
        self.timeout = timeout
        self.proc = None
        self.port = None

    # -- process ----------------------------------------------------------------
    def args(self):
        a = [PYTHON, EMULATOR, "--port", "0", "--access-key-id", self.access_key_id,
             "--secret-access-key", self.secret_access_key]
        for r in self.repositories:
            a += ["--repository", r]
        if self.state_file:
            a += ["--state-file", self.state_file]
        return a + self.extra_args

    def start(self, timeout=30):
        self.proc = subprocess.Popen(self.args(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.time() + timeout
        while time.time() < deadline:
            line = self.proc.stdout.readline().decode()
            if not line:
                err = self.proc.stderr.read().decode(errors="replace")
                raise RuntimeError("lakefs-emulator exited early (code %s): %s" % (self.proc.wait(), err))
            if line.startswith("lakefs-emulator ready"):
                fields = dict(f.split("=", 1) for f in line.split()[2:])
                self.port = int(fields["port"])
                return self
        raise RuntimeError("lakefs-emulator did not become ready")

    def stop(self, sig=signal.SIGTERM, timeout=10):
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait()
        self.proc.stdout.close()
        self.proc.stderr.close()
        self.proc = None
        return code

    def kill9(self):
        return self.stop(signal.SIGKILL)

    def restart(self):
        self.stop()
        return self.start()

    def cleanup(self):
        self.stop()
        if self.tmp_dir:
            shutil.rmtree(self.tmp_dir, ignore_errors=True)

    @property
    def endpoint(self):
        """Base URL of the lakeFS API, e.g. http://127.0.0.1:PORT/api/v1 (what a lakeFS client is given)."""
        return "http://127.0.0.1:%d/api/v1" % self.port

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.port

    # -- raw HTTP ---------------------------------------------------------------
    def request(self, method, path, body=None, query=None, auth=True, headers=None, timeout=None,
                raw_body=None, content_type=None):
        """Sends one request; returns (status, decoded body: dict/list, str, bytes or None).

        path is below the server root (e.g. "/api/v1/repositories/repo1").
        Connection errors (e.g. an injected drop) propagate as OSError / http.client exceptions.
        """
        if query:
            path += "?" + urlencode(query, doseq=True)
        hdrs = dict(headers or {})
        data = raw_body
        if body is not None:
            data = json.dumps(body).encode()
            hdrs["Content-Type"] = "application/json"
        if content_type:
            hdrs["Content-Type"] = content_type
        if auth:
            token = base64.b64encode(("%s:%s" % (self.access_key_id, self.secret_access_key)).encode())
            hdrs["Authorization"] = "Basic " + token.decode()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout or self.timeout)
        try:
            conn.request(method, path, body=data, headers=hdrs)
            resp = conn.getresponse()
            payload = resp.read()
            ctype = resp.getheader("Content-Type") or ""
        finally:
            conn.close()
        if ctype.startswith("application/json") and payload:
            return resp.status, json.loads(payload)
        if ctype.startswith("text/"):
            return resp.status, payload.decode()
        return resp.status, (payload if payload else None)

    def api(self, method, path, body=None, query=None, expect=(200, 201, 204), **kw):
        """lakeFS API call below /api/v1; raises LakeFSError unless the status is in expect."""
        status, data = self.request(method, "/api/v1" + path, body=body, query=query, **kw)
        if status not in expect:
            msg = data.get("message") if isinstance(data, dict) else data
            raise LakeFSError(status, msg, data)
        return data

    # -- lakeFS API ---------------------------------------------------------------
    def create_branch(self, repo, name, source="main"):
        """Returns the commit id the new branch points at."""
        return self.api("POST", "/repositories/%s/branches" % seg(repo), {"name": name, "source": source})

    def get_branch(self, repo, branch):
        return self.api("GET", "/repositories/%s/branches/%s" % (seg(repo), seg(branch)))

    def head(self, repo, branch):
        return self.get_branch(repo, branch)["commit_id"]

    def delete_branch(self, repo, branch):
        self.api("DELETE", "/repositories/%s/branches/%s" % (seg(repo), seg(branch)))

    def list_branches(self, repo, **query):
        return self.api("GET", "/repositories/%s/branches" % seg(repo), query=query)

    def write_object(self, repo, branch, path, data=b"x", content_type="application/octet-stream"):
        if isinstance(data, str):
            data = data.encode()
        return self.api("POST", "/repositories/%s/branches/%s/objects" % (seg(repo), seg(branch)),
                        query={"path": path}, raw_body=data, content_type=content_type)

    def delete_object(self, repo, branch, path):
        self.api("DELETE", "/repositories/%s/branches/%s/objects" % (seg(repo), seg(branch)),
                 query={"path": path})

    def get_object(self, repo, ref, path):
        return self.api("GET", "/repositories/%s/refs/%s/objects" % (seg(repo), seg(ref)), query={"path": path})

    def commit(self, repo, branch, message="commit", metadata=None, allow_empty=False, date=None, force=None):
        body = {"message": message, "metadata": metadata or {}, "allow_empty": allow_empty}
        if date is not None:
            body["date"] = date
        if force is not None:
            body["force"] = force
        return self.api("POST", "/repositories/%s/branches/%s/commits" % (seg(repo), seg(branch)), body)

    def merge(self, repo, source_ref, dest_branch, message=None, metadata=None, strategy=None,
              allow_empty=None, force=None, squash_merge=None):
        """Returns the merge commit id; raises LakeFSError (409 on conflict)."""
        body = {}
        for k, v in (("message", message), ("metadata", metadata), ("strategy", strategy),
                     ("allow_empty", allow_empty), ("force", force), ("squash_merge", squash_merge)):
            if v is not None:
                body[k] = v
        return self.api("POST", "/repositories/%s/refs/%s/merge/%s" % (seg(repo), seg(source_ref),
                                                                       seg(dest_branch)), body)["reference"]

    def merge_base(self, repo, source_ref, dest_ref):
        return self.api("GET", "/repositories/%s/refs/%s/merge/%s" % (seg(repo), seg(source_ref), seg(dest_ref)))

    def get_commit(self, repo, commit_id):
        return self.api("GET", "/repositories/%s/commits/%s" % (seg(repo), seg(commit_id)))

    def log(self, repo, ref, **query):
        """CommitList; query e.g. amount=10, after=ID, first_parent=True (booleans sent as true/false)."""
        q = {k: (str(v).lower() if isinstance(v, bool) else v) for k, v in query.items()}
        return self.api("GET", "/repositories/%s/refs/%s/commits" % (seg(repo), seg(ref)), query=q)

    def diff_refs(self, repo, left, right, **query):
        return self.api("GET", "/repositories/%s/refs/%s/diff/%s" % (seg(repo), seg(left), seg(right)),
                        query=query)

    def diff_branch(self, repo, branch, **query):
        return self.api("GET", "/repositories/%s/branches/%s/diff" % (seg(repo), seg(branch)), query=query)

    def create_tag(self, repo, tag, ref):
        return self.api("POST", "/repositories/%s/tags" % seg(repo), {"id": tag, "ref": ref})

    # -- test-only control --------------------------------------------------------
    def control(self, method, path, body=None, query=None):
        status, data = self.request(method, "/_emulator" + path, body=body, query=query, auth=False)
        if status >= 300:
            raise LakeFSError(status, data.get("message") if isinstance(data, dict) else data, data)
        return data

    def inject_fault(self, call, action, nth=1, times=1, seconds=None, then=None, status=None, message=None):
        """call: operation name (commit, merge, create_branch, ...) or "any"; returns the fault record."""
        spec = {"call": call, "action": action, "nth": nth, "times": times}
        for k, v in (("seconds", seconds), ("then", then), ("status", status), ("message", message)):
            if v is not None:
                spec[k] = v
        return self.control("POST", "/faults", spec)

    def faults(self):
        return self.control("GET", "/faults")["faults"]

    def clear_faults(self):
        self.control("DELETE", "/faults")

    def calls(self, op=None, since=0):
        q = {"since": since}
        if op:
            q["op"] = op
        return self.control("GET", "/calls", query=q)["calls"]

    def clear_calls(self):
        self.control("DELETE", "/calls")

    def state(self):
        return self.control("GET", "/state")

    def reset(self):
        self.control("POST", "/reset")
