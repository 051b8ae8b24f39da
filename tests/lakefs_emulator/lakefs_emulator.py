#!/usr/bin/env python3
"""lakefs_emulator.py -- an EMULATOR of lakeFS's REST API, for Arbor's tests only.

THIS IS NOT lakeFS. lakeFS cannot be installed on the test machines, so this
small stand-in speaks the subset of lakeFS's HTTP API (base path /api/v1, see
treeverse/lakeFS api/swagger.yml and docs/lakefs.md) that Arbor's
lakeFS coordination uses: branches, commits, merges, merge base, log, diff,
tags, and plain object upload/delete so that tests can make data changes.
It keeps everything in memory (optionally mirrored to a JSON --state-file),
has no hooks, no branch protection, no real storage and no performance
characteristics of lakeFS. It adds test-only control endpoints under
/_emulator/ (fault injection, call log, state dump, reset) that lakeFS does
not have.

Python 3 standard library only; runs with Debian's /usr/bin/python3.

    python3 lakefs_emulator.py --port 0 --repository repo1 \
        --access-key-id AK --secret-access-key SK [--state-file F]

prints "lakefs-emulator ready port=PORT" on stdout once it is listening.

Behaviour copied from lakeFS (pkg/api/controller.go, pkg/graveler, pkg/catalog):
  * errors are {"message": "..."}; 401 "error authenticating request";
  * create branch answers 201 with the source commit id as a text body;
  * an empty commit without allow_empty is 400 "commit: no changes";
  * a merge whose source has no changes relative to the merge base is
    400 "no changes" (unless allow_empty or force);
  * a merge conflict is 409 with body {"reference": ""} (lakeFS writes an
    empty MergeResult, no conflict list);
  * a merge into a branch with uncommitted changes is 400
    "<branch>: uncommitted changes (dirty branch)";
  * every merge commit records metadata ".lakefs.merge.strategy" =
    "default" | "dest-wins" | "source-wins" (lakeFS always sets it);
  * merge commits have parents [dest, source] ([dest] with squash_merge) and
    generation max(dest, source) + 1; ordinary commits parent generation + 1;
  * log order is generation descending, then creation date descending;
    pagination.max_per_page is 1000, next_offset is the last returned id;
  * ref expressions: full commit id, branch, tag, unique commit-id prefix,
    followed by modifiers ~N (first parent N times), ^N (N-th parent),
    @ (branch, committed data only), $ (branch including staging).
  * two_dot diff of left..right compares committed data (right may be
    "branch$" to include its staging); three_dot (the default) shows what a
    merge of right into left would bring, with "conflict" entries.
"""

import argparse
import base64
import hashlib
import heapq
import hmac
import json
import os
import re
import socket
import sys
import threading
import time
import uuid
from email.parser import BytesParser
from email.policy import HTTP as HTTP_POLICY
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

API_PREFIX = "/api/v1"
CONTROL_PREFIX = "/_emulator"
DEFAULT_PER_PAGE = 100
MAX_PER_PAGE = 1000
COMMIT_VERSION = 1
FIRST_COMMIT_MESSAGE = "Repository created"
MERGE_STRATEGY_KEY = ".lakefs.merge.strategy"
MERGE_STRATEGIES = {"": "default", "dest-wins": "dest-wins", "source-wins": "source-wins"}
RE_BRANCH_ID = re.compile(r"^\w[-\w]*$")
RE_REPOSITORY_ID = re.compile(r"^[a-z0-9][a-z0-9-]{2,62}$")
RE_HASH = re.compile(r"^[a-fA-F0-9]{1,64}$")
RE_FULL_HASH = re.compile(r"^[a-fA-F0-9]{64}$")
RE_MODIFIERS = re.compile(r"(^|[~^@$])[^~^@$]*")
FAULT_ACTIONS = ("fail500", "fail429", "fail", "hang", "drop_after_apply", "drop_before_apply")
HANG_THEN = ("respond", "fail500", "fail429", "fail", "drop_after_apply", "drop_before_apply")


class ApiError(Exception):
    """An HTTP error answer: status and lakeFS's {"message": ...} body (or an explicit body)."""

    def __init__(self, status, message, body=None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.body = body if body is not None else {"message": message}


class Response:
    def __init__(self, status, body=None, content_type="application/json", mutated=False):
        self.status = status
        self.content_type = content_type
        self.mutated = mutated
        if body is None:
            self.data = b""
        elif isinstance(body, (bytes, bytearray)):
            self.data = bytes(body)
        elif isinstance(body, str):
            self.data = body.encode()
        else:
            self.data = (json.dumps(body) + "\n").encode()
        self.json = body if not isinstance(body, (bytes, bytearray, str)) else None


def now_s():
    return int(time.time())


def canonical(obj):
    return json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()


def sha256_hex(data):
    return hashlib.sha256(data).hexdigest()


def identity(entry):
    """Object identity used by diff and merge (lakeFS: size, ETag, metadata, content type)."""
    return "%s|%d|%s" % (entry["checksum"], entry["size_bytes"], entry.get("content_type", ""))


def tree_identities(tree):
    return {p: identity(e) for p, e in tree.items()}


def trees_equal(a, b):
    return tree_identities(a) == tree_identities(b)


def bool_param(q, name, default=False):
    v = q.get(name)
    if v is None:
        return default
    return v.lower() in ("true", "1", "yes")


def amount_param(q):
    v = q.get("amount")
    if v is None or v == "":
        return DEFAULT_PER_PAGE
    try:
        i = int(v)
    except ValueError:
        raise ApiError(400, "amount: invalid value")
    if i > MAX_PER_PAGE:
        return MAX_PER_PAGE
    if i <= 0:
        return DEFAULT_PER_PAGE
    return i


def pagination(has_more, results, key):
    p = {"has_more": has_more, "max_per_page": MAX_PER_PAGE, "results": len(results), "next_offset": ""}
    if has_more and results:
        p["next_offset"] = results[-1][key]
    return p


def paginate_sorted(items, key, after, amount):
    """items sorted by key; returns (page, has_more)."""
    if after:
        items = [i for i in items if i[key] > after]
    return items[:amount], len(items) > amount


# ---------------------------------------------------------------------------
# State: repositories, branches (commit id + staging), tags, commits, blobs.
# Everything is plain dicts so it can be dumped and persisted as JSON.
# ---------------------------------------------------------------------------

class Store:
    def __init__(self, repositories, default_branch, committer, state_file=None):
        self.initial_repositories = list(repositories)
        self.default_branch = default_branch
        self.committer = committer
        self.state_file = state_file
        self.lock = threading.RLock()
        self.repos = {}
        self.blobs = {}  # physical address -> bytes
        if state_file and os.path.exists(state_file):
            self._load()
        for name in self.initial_repositories:
            if name not in self.repos:
                self.create_repository(name, None, default_branch, persist=False)
        self.persist()

    # -- persistence --------------------------------------------------------
    def _load(self):
        with open(self.state_file, "r") as f:
            data = json.load(f)
        self.repos = data["repositories"]
        self.blobs = {k: base64.b64decode(v) for k, v in data.get("blobs", {}).items()}

    def persist(self):
        if not self.state_file:
            return
        data = {"emulator": "lakefs-emulator", "format": 1, "repositories": self.repos,
                "blobs": {k: base64.b64encode(v).decode() for k, v in self.blobs.items()}}
        tmp = "%s.tmp.%d" % (self.state_file, os.getpid())
        with open(tmp, "w") as f:
            json.dump(data, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.state_file)

    def reset(self):
        with self.lock:
            self.repos = {}
            self.blobs = {}
            for name in self.initial_repositories:
                self.create_repository(name, None, self.default_branch, persist=False)
            self.persist()

    # -- lookups ------------------------------------------------------------
    def repo(self, name):
        r = self.repos.get(name)
        if r is None:
            raise ApiError(404, "repository not found")
        return r

    @staticmethod
    def branch(repo, name):
        b = repo["branches"].get(name)
        if b is None:
            raise ApiError(404, "branch not found")
        return b

    @staticmethod
    def commit(repo, commit_id):
        c = repo["commits"].get(commit_id)
        if c is None:
            raise ApiError(404, "commit not found")
        return c

    # -- object construction -----------------------------------------------
    def new_commit(self, repo, parents, tree, message, metadata, committer, generation, date=None,
                   meta_range_id=None):
        if meta_range_id is None:
            meta_range_id = sha256_hex(canonical(sorted(tree_identities(tree).items())))
        rec = {
            "parents": list(parents),
            "committer": committer,
            "message": message,
            "creation_date": int(date) if date is not None else now_s(),
            "meta_range_id": meta_range_id,
            "metadata": dict(metadata or {}),
            "generation": generation,
            "version": COMMIT_VERSION,
        }
        # ids are content addresses; a nonce keeps two otherwise equal commits distinct
        rec_id = sha256_hex(canonical(dict(rec, nonce=uuid.uuid4().hex)))
        rec["id"] = rec_id
        rec["tree"] = dict(tree)
        repo["commits"][rec_id] = rec
        return rec

    def create_repository(self, name, storage_namespace, default_branch, persist=True):
        with self.lock:
            if not RE_REPOSITORY_ID.match(name or ""):
                raise ApiError(400, "repository id: invalid value: validation error")
            if name in self.repos:
                raise ApiError(409, "repository already exists: not unique")
            repo = {
                "id": name,
                "creation_date": now_s(),
                "default_branch": default_branch,
                "storage_namespace": storage_namespace or ("mem://lakefs-emulator/%s" % name),
                "branches": {},
                "tags": {},
                "commits": {},
            }
            first = self.new_commit(repo, [], {}, FIRST_COMMIT_MESSAGE, {}, "", 1,
                                    date=repo["creation_date"], meta_range_id="")
            repo["branches"][default_branch] = {"commit_id": first["id"], "staging": {}, "hidden": False}
            self.repos[name] = repo
            if persist:
                self.persist()
            return repo

    # -- ref resolution -------------------------------------------------------
    def _resolve_base(self, repo, rev):
        """Returns (commit_id, branch_name or None), following lakeFS's resolver order."""
        if RE_FULL_HASH.match(rev) and rev.lower() in repo["commits"]:
            return rev.lower(), None
        if rev in repo["branches"]:
            return repo["branches"][rev]["commit_id"], rev
        if rev in repo["tags"]:
            return repo["tags"][rev], None
        if RE_HASH.match(rev):
            low = rev.lower()
            matches = [c for c in repo["commits"] if c.startswith(low)]
            if len(matches) == 1:
                return matches[0], None
        raise ApiError(404, "not found")

    def resolve(self, repo, ref):
        """Resolves a ref expression.

        Returns dict(commit_id, branch, staging) where staging tells whether a
        read through this ref would include the branch's uncommitted changes:
        "staging" is "default" for a plain branch name, "committed" for
        branch@, "staging" for branch$, None for a commit.
        """
        if not ref or re.search(r"\s", ref):
            raise ApiError(400, "ref: invalid value: validation error")
        parts = [m.group(0) for m in RE_MODIFIERS.finditer(ref)]
        if not parts or not parts[0]:
            raise ApiError(400, "ref: invalid value: validation error")
        commit_id, branch = self._resolve_base(repo, parts[0])
        mods = parts[1:]
        if not mods:
            return {"commit_id": commit_id, "branch": branch, "staging": "default" if branch else None}
        for mod in mods:
            kind, rest = mod[0], mod[1:]
            if kind in "@$":
                if rest or branch is None or len(mods) != 1:
                    raise ApiError(400, "ref: invalid value: validation error")
                return {"commit_id": commit_id, "branch": branch,
                        "staging": "committed" if kind == "@" else "staging"}
            try:
                n = int(rest) if rest else 1
            except ValueError:
                raise ApiError(400, "could not parse modifier %s: ref: invalid value: validation error" % mod)
            if kind == "~":
                for _ in range(n):
                    c = self.commit(repo, commit_id)
                    if not c["parents"]:
                        raise ApiError(404, "not found")
                    commit_id = c["parents"][0]
            elif kind == "^":
                if n == 0:
                    continue
                c = self.commit(repo, commit_id)
                if n > len(c["parents"]):
                    raise ApiError(400, "ref: invalid value: validation error")
                commit_id = c["parents"][n - 1]
        return {"commit_id": commit_id, "branch": None, "staging": None}

    def resolve_commit_id(self, repo, ref):
        r = self.resolve(repo, ref)
        if r["staging"] == "staging":
            raise ApiError(400, "reference to staging area with $ is not a commit")
        return r["commit_id"]

    @staticmethod
    def apply_staging(tree, staging):
        out = dict(tree)
        for path, entry in staging.items():
            if entry is None:
                out.pop(path, None)
            else:
                out[path] = entry
        return out

    def tree_for(self, repo, resolved, default_includes_staging):
        tree = self.commit(repo, resolved["commit_id"])["tree"]
        mode = resolved["staging"]
        if mode == "staging" or (mode == "default" and default_includes_staging):
            tree = self.apply_staging(tree, repo["branches"][resolved["branch"]]["staging"])
        return tree

    # -- graph ----------------------------------------------------------------
    def merge_base(self, repo, a, b):
        """Nearest common ancestor: walk both histories by generation, highest first."""
        flags = {a: 1}
        flags[b] = flags.get(b, 0) | 2
        heap = []
        seen = set()
        for cid in {a, b}:
            c = self.commit(repo, cid)
            heapq.heappush(heap, (-c["generation"], -c["creation_date"], cid))
            seen.add(cid)
        while heap:
            _, _, cid = heapq.heappop(heap)
            f = flags[cid]
            if f == 3:
                return cid
            for p in self.commit(repo, cid)["parents"]:
                flags[p] = flags.get(p, 0) | f
                if p not in seen:
                    seen.add(p)
                    pc = self.commit(repo, p)
                    heapq.heappush(heap, (-pc["generation"], -pc["creation_date"], p))
        return None

    def log_iter(self, repo, start, first_parent):
        heap = []
        seen = set()

        def push(cid):
            if cid in seen:
                return
            seen.add(cid)
            c = self.commit(repo, cid)
            heapq.heappush(heap, (-c["generation"], -c["creation_date"], cid))

        push(start)
        while heap:
            _, _, cid = heapq.heappop(heap)
            c = self.commit(repo, cid)
            yield c
            parents = c["parents"][:1] if first_parent else c["parents"]
            for p in parents:
                push(p)


def commit_json(c):
    return {k: c[k] for k in ("id", "parents", "committer", "message", "creation_date",
                              "meta_range_id", "metadata", "generation", "version")}


def diff_trees(left, right):
    """Two-way diff left -> right: list of {type, path, path_type, size_bytes} sorted by path."""
    out = []
    for path in sorted(set(left) | set(right)):
        l, r = left.get(path), right.get(path)
        if l is None:
            out.append({"type": "added", "path": path, "path_type": "object", "size_bytes": r["size_bytes"]})
        elif r is None:
            out.append({"type": "removed", "path": path, "path_type": "object", "size_bytes": l["size_bytes"]})
        elif identity(l) != identity(r):
            out.append({"type": "changed", "path": path, "path_type": "object", "size_bytes": r["size_bytes"]})
    return out


def three_way(base, source, dest):
    """Per-path three-way merge over object identity.

    Returns (conflict paths, tree with conflicts taken from source, tree with conflicts taken from dest).
    Unchanged-on-one-side paths take the other side; both-changed-same takes it; anything else conflicts.
    """
    merged_src, merged_dst, conflicts = {}, {}, []
    for path in sorted(set(base) | set(source) | set(dest)):
        b, s, d = base.get(path), source.get(path), dest.get(path)
        bi = identity(b) if b else None
        si = identity(s) if s else None
        di = identity(d) if d else None
        if si == bi:
            pick_s = pick_d = d
        elif di == bi or di == si:
            pick_s = pick_d = s
        else:
            conflicts.append(path)
            pick_s, pick_d = s, d
        if pick_s is not None:
            merged_src[path] = pick_s
        if pick_d is not None:
            merged_dst[path] = pick_d
    return conflicts, merged_src, merged_dst


def entry_stats(path, e, include_content_type=True):
    out = {"path": path, "path_type": "object", "physical_address": e["physical_address"],
           "checksum": e["checksum"], "size_bytes": e["size_bytes"], "mtime": e["mtime"],
           "metadata": dict(e.get("metadata") or {})}
    if include_content_type:
        out["content_type"] = e.get("content_type", "application/octet-stream")
    return out


# ---------------------------------------------------------------------------
# API operations. Each takes (emu, params, query, body, headers) and returns
# a Response or raises ApiError.
# ---------------------------------------------------------------------------

def parse_json_body(body, required=True):
    if not body:
        if required:
            raise ApiError(400, "request body has an error: value is required but missing")
        return {}
    try:
        obj = json.loads(body)
    except ValueError:
        raise ApiError(400, "request body has an error: failed to decode request body")
    if not isinstance(obj, dict):
        raise ApiError(400, "request body has an error: value must be an object")
    return obj


def string_map(obj, name):
    v = obj.get(name)
    if v is None:
        return {}
    if not isinstance(v, dict) or not all(isinstance(x, str) for x in v.values()):
        raise ApiError(400, "request body has an error: %s must be a map of strings" % name)
    return dict(v)


def op_healthcheck(emu, p, q, body, h):
    return Response(204)


def op_get_version(emu, p, q, body, h):
    return Response(200, {"version": "lakefs-emulator"})


def op_get_current_user(emu, p, q, body, h):
    return Response(200, {"user": {"id": emu.committer, "creation_date": emu.started}})


def repo_json(r):
    return {k: r[k] for k in ("id", "creation_date", "default_branch", "storage_namespace")}


def op_list_repositories(emu, p, q, body, h):
    st = emu.store
    with st.lock:
        items = [repo_json(r) for _, r in sorted(st.repos.items())]
    prefix = q.get("prefix", "")
    items = [i for i in items if i["id"].startswith(prefix)]
    page, more = paginate_sorted(items, "id", q.get("after", ""), amount_param(q))
    return Response(200, {"pagination": pagination(more, page, "id"), "results": page})


def op_create_repository(emu, p, q, body, h):
    b = parse_json_body(body)
    name = b.get("name")
    if not isinstance(name, str) or not isinstance(b.get("storage_namespace"), str):
        raise ApiError(400, "request body has an error: name and storage_namespace are required")
    r = emu.store.create_repository(name, b["storage_namespace"], b.get("default_branch") or "main")
    return Response(201, repo_json(r), mutated=True)


def op_get_repository(emu, p, q, body, h):
    with emu.store.lock:
        return Response(200, repo_json(emu.store.repo(p["repository"])))


def op_list_branches(emu, p, q, body, h):
    st = emu.store
    show_hidden = bool_param(q, "show_hidden")
    with st.lock:
        repo = st.repo(p["repository"])
        items = [{"id": n, "commit_id": b["commit_id"]} for n, b in sorted(repo["branches"].items())
                 if show_hidden or not b.get("hidden")]
    prefix = q.get("prefix", "")
    items = [i for i in items if i["id"].startswith(prefix)]
    page, more = paginate_sorted(items, "id", q.get("after", ""), amount_param(q))
    return Response(200, {"pagination": pagination(more, page, "id"), "results": page})


def op_create_branch(emu, p, q, body, h):
    b = parse_json_body(body)
    name, source = b.get("name"), b.get("source")
    if not isinstance(name, str) or not isinstance(source, str):
        raise ApiError(400, "request body has an error: name and source are required")
    st = emu.store
    with st.lock:
        repo = st.repo(p["repository"])
        if not RE_BRANCH_ID.match(name):
            raise ApiError(400, "branch id: invalid value: validation error: branch id must consist of "
                                "letters, digits, underscores and dashes, and cannot start with a dash")
        if name in repo["tags"]:
            raise ApiError(409, "tag ID %s: conflict found" % name)
        try:
            resolved = st.resolve(repo, source)
        except ApiError as e:
            if e.status == 404:
                raise ApiError(404, "source reference '%s': not found" % source)
            raise
        if resolved["staging"] == "staging":
            raise ApiError(400, "source reference '%s': can't create a branch without commit" % source)
        if name in repo["branches"]:
            raise ApiError(409, "branch already exists: not unique")
        repo["branches"][name] = {"commit_id": resolved["commit_id"], "staging": {},
                                  "hidden": bool(b.get("hidden", False))}
        st.persist()
        return Response(201, resolved["commit_id"], content_type="text/html", mutated=True)


def op_get_branch(emu, p, q, body, h):
    st = emu.store
    with st.lock:
        repo = st.repo(p["repository"])
        br = st.branch(repo, p["branch"])
        return Response(200, {"id": p["branch"], "commit_id": br["commit_id"]})


def op_delete_branch(emu, p, q, body, h):
    st = emu.store
    with st.lock:
        repo = st.repo(p["repository"])
        if p["branch"] == repo["default_branch"]:
            raise ApiError(403, "cannot delete repository default branch")
        st.branch(repo, p["branch"])
        del repo["branches"][p["branch"]]
        st.persist()
        return Response(204, mutated=True)


def op_commit(emu, p, q, body, h):
    b = parse_json_body(body)
    if not isinstance(b.get("message"), str):
        raise ApiError(400, "request body has an error: doesn't match schema: property \"message\" is missing")
    metadata = string_map(b, "metadata")
    date = b.get("date")
    if date is not None and not isinstance(date, int):
        raise ApiError(400, "request body has an error: date must be an integer")
    if q.get("source_metarange"):
        raise ApiError(400, "lakefs-emulator: source_metarange is not supported")
    st = emu.store
    with st.lock:
        repo = st.repo(p["repository"])
        if not RE_BRANCH_ID.match(p["branch"]):
            raise ApiError(400, "branch id: invalid value: validation error")
        br = st.branch(repo, p["branch"])
        parent = st.commit(repo, br["commit_id"])
        tree = st.apply_staging(parent["tree"], br["staging"])
        if trees_equal(tree, parent["tree"]) and not b.get("allow_empty", False):
            raise ApiError(400, "commit: no changes")
        c = st.new_commit(repo, [parent["id"]], tree, b["message"], metadata, emu.committer,
                          parent["generation"] + 1, date=date)
        br["commit_id"] = c["id"]
        br["staging"] = {}
        st.persist()
        return Response(201, commit_json(c), mutated=True)


def op_get_commit(emu, p, q, body, h):
    st = emu.store
    with st.lock:
        repo = st.repo(p["repository"])
        try:
            cid = st.resolve_commit_id(repo, p["commitId"])
        except ApiError as e:
            if e.status == 404:
                raise ApiError(404, "commit not found")
            raise
        return Response(200, commit_json(st.commit(repo, cid)))


def op_log(emu, p, q, body, h, ql=None):
    st = emu.store
    amount = amount_param(q)
    limit = bool_param(q, "limit")
    first_parent = bool_param(q, "first_parent")
    objects = (ql or {}).get("objects", [])
    prefixes = (ql or {}).get("prefixes", [])
    with st.lock:
        repo = st.repo(p["repository"])
        start = st.resolve_commit_id(repo, p["ref"])
        stop_at = st.resolve_commit_id(repo, q["stop_at"]) if q.get("stop_at") else None
        after = st.resolve_commit_id(repo, q["after"]) if q.get("after") else None
        it = st.log_iter(repo, start, first_parent)
        if after:
            for c in it:
                if c["id"] == after:
                    break
        out = []
        for c in it:
            if objects or prefixes:
                ptree = st.commit(repo, c["parents"][0])["tree"] if c["parents"] else {}
                changed = [d["path"] for d in diff_trees(ptree, c["tree"])]
                if not any(x in objects or any(x.startswith(pre) for pre in prefixes) for x in changed):
                    if stop_at and c["id"] == stop_at:
                        break
                    continue
            out.append(commit_json(c))
            if (limit and len(out) >= amount) or len(out) >= amount + 1 or (stop_at and c["id"] == stop_at):
                break
    has_more = len(out) > amount
    out = out[:amount]
    if limit:
        has_more = False
    return Response(200, {"pagination": pagination(has_more, out, "id"), "results": out})


def diff_page(diffs, q):
    prefix = q.get("prefix", "")
    diffs = [d for d in diffs if d["path"].startswith(prefix)]
    page, more = paginate_sorted(diffs, "path", q.get("after", ""), amount_param(q))
    return Response(200, {"pagination": pagination(more, page, "path"), "results": page})


def op_diff_refs(emu, p, q, body, h):
    st = emu.store
    typ = q.get("type", "three_dot")
    if typ not in ("two_dot", "three_dot"):
        raise ApiError(400, "type: invalid value")
    with st.lock:
        repo = st.repo(p["repository"])
        if typ == "two_dot":
            left = st.commit(repo, st.resolve_commit_id(repo, p["leftRef"]))["tree"]
            right = st.tree_for(repo, st.resolve(repo, p["rightRef"]), default_includes_staging=False)
            diffs = diff_trees(left, right)
        else:
            lid = st.resolve_commit_id(repo, p["leftRef"])
            rid = st.resolve_commit_id(repo, p["rightRef"])
            base_id = st.merge_base(repo, rid, lid)
            if base_id is None:
                raise ApiError(500, "find merge base: no merge base")
            base = st.commit(repo, base_id)["tree"]
            dest = st.commit(repo, lid)["tree"]
            src = st.commit(repo, rid)["tree"]
            diffs = []
            for d in diff_trees(dest, src):
                path = d["path"]
                b, s = base.get(path), src.get(path)
                if (identity(b) if b else None) == (identity(s) if s else None):
                    continue  # only the left side changed it
                dd = dest.get(path)
                if (identity(dd) if dd else None) != (identity(b) if b else None):
                    d = dict(d, type="conflict")
                diffs.append(d)
    return diff_page(diffs, q)


def op_diff_branch(emu, p, q, body, h):
    st = emu.store
    with st.lock:
        repo = st.repo(p["repository"])
        br = st.branch(repo, p["branch"])
        committed = st.commit(repo, br["commit_id"])["tree"]
        diffs = diff_trees(committed, st.apply_staging(committed, br["staging"]))
    return diff_page(diffs, q)


def op_merge_base(emu, p, q, body, h):
    st = emu.store
    with st.lock:
        repo = st.repo(p["repository"])
        src = st.resolve_commit_id(repo, p["sourceRef"])
        dst = st.resolve_commit_id(repo, p["destinationBranch"])
        base = st.merge_base(repo, src, dst)
        if base is None:
            raise ApiError(500, "find merge base: no merge base")
        return Response(200, {"source_commit_id": src, "destination_commit_id": dst, "base_commit_id": base})


def op_merge(emu, p, q, body, h):
    b = parse_json_body(body, required=False)
    strategy = b.get("strategy") or ""
    if strategy not in MERGE_STRATEGIES:
        raise ApiError(400, "invalid merge strategy")
    metadata = string_map(b, "metadata")
    allow_empty = bool(b.get("allow_empty", False))
    force = bool(b.get("force", False))
    squash = bool(b.get("squash_merge", False))
    st = emu.store
    with st.lock:
        repo = st.repo(p["repository"])
        dest_name, source = p["destinationBranch"], p["sourceRef"]
        if not RE_BRANCH_ID.match(dest_name):
            raise ApiError(400, "destination: invalid value: validation error")
        dest_br = st.branch(repo, dest_name)
        if dest_br["staging"]:
            raise ApiError(400, "%s: uncommitted changes (dirty branch)" % dest_name)
        try:
            src_id = st.resolve_commit_id(repo, source)
        except ApiError as e:
            if e.status == 404:
                raise ApiError(404, "get commit by ref %s: not found" % source)
            raise
        dst_id = dest_br["commit_id"]
        base_id = st.merge_base(repo, src_id, dst_id)
        if base_id is None:
            raise ApiError(500, "find merge base: no merge base")
        S = st.commit(repo, src_id)
        D = st.commit(repo, dst_id)
        B = st.commit(repo, base_id)
        if trees_equal(S["tree"], B["tree"]) and not allow_empty and not force:
            raise ApiError(400, "no changes")
        if trees_equal(D["tree"], B["tree"]):
            tree = S["tree"]
        else:
            conflicts, src_wins, dst_wins = three_way(B["tree"], S["tree"], D["tree"])
            if conflicts and not strategy:
                raise ApiError(409, "conflict found", body={"reference": ""})
            tree = dst_wins if strategy == "dest-wins" else src_wins
        message = b.get("message") or ("Merge '%s' into '%s'" % (source, dest_name))
        metadata[MERGE_STRATEGY_KEY] = MERGE_STRATEGIES[strategy]
        parents = [dst_id] if squash else [dst_id, src_id]
        c = st.new_commit(repo, parents, tree, message, metadata, emu.committer,
                          max(D["generation"], S["generation"]) + 1)
        dest_br["commit_id"] = c["id"]
        st.persist()
        return Response(200, {"reference": c["id"]}, mutated=True)


def read_upload(body, headers):
    ctype = headers.get("Content-Type") or "application/octet-stream"
    if ctype.lower().startswith("multipart/form-data"):
        msg = BytesParser(policy=HTTP_POLICY).parsebytes(
            b"Content-Type: " + ctype.encode() + b"\r\nMIME-Version: 1.0\r\n\r\n" + body)
        for part in msg.iter_parts():
            if part.get_param("name", header="content-disposition") == "content":
                data = part.get_payload(decode=True) or b""
                return data, part.get_content_type() or "application/octet-stream"
        raise ApiError(500, "multipart upload missing key 'content': http: no such file")
    return body, ctype


def op_upload_object(emu, p, q, body, h):
    path = q.get("path")
    if not path:
        raise ApiError(400, "path: required value: validation error")
    st = emu.store
    with st.lock:
        repo = st.repo(p["repository"])
        br = repo["branches"].get(p["branch"])
        if br is None:
            raise ApiError(404, "branch '%s' not found" % p["branch"])
        data, ctype = read_upload(body, h)
        current = st.apply_staging(st.commit(repo, br["commit_id"])["tree"], br["staging"])
        if h.get("If-None-Match") == "*" and path in current:
            raise ApiError(412, "path already exists")
        addr = "%s/data/%s" % (repo["storage_namespace"].rstrip("/"), uuid.uuid4().hex)
        entry = {"checksum": hashlib.md5(data).hexdigest(), "size_bytes": len(data), "mtime": now_s(),
                 "physical_address": addr, "content_type": ctype, "metadata": {}}
        st.blobs[addr] = data
        br["staging"][path] = entry
        st.persist()
        return Response(201, entry_stats(path, entry), mutated=True)


def op_delete_object(emu, p, q, body, h):
    path = q.get("path")
    if not path:
        raise ApiError(400, "path: required value: validation error")
    st = emu.store
    with st.lock:
        repo = st.repo(p["repository"])
        br = st.branch(repo, p["branch"])
        committed = st.commit(repo, br["commit_id"])["tree"]
        if path in committed:
            br["staging"][path] = None
        else:
            br["staging"].pop(path, None)
        st.persist()
        return Response(204, mutated=True)


def read_tree(emu, p):
    st = emu.store
    repo = st.repo(p["repository"])
    return repo, st.tree_for(repo, st.resolve(repo, p["ref"]), default_includes_staging=True)


def op_get_object(emu, p, q, body, h):
    with emu.store.lock:
        _, tree = read_tree(emu, p)
        e = tree.get(q.get("path", ""))
        if e is None:
            raise ApiError(404, "not found")
        return Response(200, emu.store.blobs.get(e["physical_address"], b""),
                        content_type=e.get("content_type", "application/octet-stream"))


def op_stat_object(emu, p, q, body, h):
    with emu.store.lock:
        _, tree = read_tree(emu, p)
        path = q.get("path", "")
        e = tree.get(path)
        if e is None:
            raise ApiError(404, "not found")
        return Response(200, entry_stats(path, e))


def op_list_objects(emu, p, q, body, h):
    with emu.store.lock:
        _, tree = read_tree(emu, p)
        prefix = q.get("prefix", "")
        items = [entry_stats(path, e) for path, e in sorted(tree.items()) if path.startswith(prefix)]
    page, more = paginate_sorted(items, "path", q.get("after", ""), amount_param(q))
    return Response(200, {"pagination": pagination(more, page, "path"), "results": page})


def op_list_tags(emu, p, q, body, h):
    st = emu.store
    with st.lock:
        repo = st.repo(p["repository"])
        items = [{"id": t, "commit_id": c} for t, c in sorted(repo["tags"].items())]
    prefix = q.get("prefix", "")
    items = [i for i in items if i["id"].startswith(prefix)]
    page, more = paginate_sorted(items, "id", q.get("after", ""), amount_param(q))
    return Response(200, {"pagination": pagination(more, page, "id"), "results": page})


def op_create_tag(emu, p, q, body, h):
    b = parse_json_body(body)
    tag, ref = b.get("id"), b.get("ref")
    if not isinstance(tag, str) or not isinstance(ref, str):
        raise ApiError(400, "request body has an error: id and ref are required")
    st = emu.store
    with st.lock:
        repo = st.repo(p["repository"])
        if not RE_BRANCH_ID.match(tag):
            raise ApiError(400, "tag id: invalid value: validation error")
        if tag in repo["branches"]:
            raise ApiError(409, "branch ID %s: conflict found" % tag)
        cid = st.resolve_commit_id(repo, ref)
        if tag in repo["tags"] and not b.get("force"):
            raise ApiError(409, "tag already exists: not unique")
        repo["tags"][tag] = cid
        st.persist()
        return Response(201, {"id": tag, "commit_id": cid}, mutated=True)


def op_get_tag(emu, p, q, body, h):
    st = emu.store
    with st.lock:
        repo = st.repo(p["repository"])
        if p["tag"] not in repo["tags"]:
            raise ApiError(404, "tag not found")
        return Response(200, {"id": p["tag"], "commit_id": repo["tags"][p["tag"]]})


def op_delete_tag(emu, p, q, body, h):
    st = emu.store
    with st.lock:
        repo = st.repo(p["repository"])
        if repo["tags"].pop(p["tag"], None) is None:
            raise ApiError(404, "tag not found")
        st.persist()
        return Response(204, mutated=True)


SEG = r"(?P<%s>[^/]+)"
R = "/repositories/" + SEG % "repository"
ROUTES = [
    # (method, path regex below /api/v1, operation name, function, needs auth)
    ("GET", "/healthcheck", "healthcheck", op_healthcheck, False),
    ("GET", "/config/version", "get_version", op_get_version, True),
    ("GET", "/user", "get_current_user", op_get_current_user, True),
    ("GET", "/repositories", "list_repositories", op_list_repositories, True),
    ("POST", "/repositories", "create_repository", op_create_repository, True),
    ("GET", R, "get_repository", op_get_repository, True),
    ("GET", R + "/branches", "list_branches", op_list_branches, True),
    ("POST", R + "/branches", "create_branch", op_create_branch, True),
    ("GET", R + "/branches/" + SEG % "branch", "get_branch", op_get_branch, True),
    ("DELETE", R + "/branches/" + SEG % "branch", "delete_branch", op_delete_branch, True),
    ("POST", R + "/branches/" + SEG % "branch" + "/commits", "commit", op_commit, True),
    ("GET", R + "/branches/" + SEG % "branch" + "/diff", "diff_branch", op_diff_branch, True),
    ("POST", R + "/branches/" + SEG % "branch" + "/objects", "upload_object", op_upload_object, True),
    ("DELETE", R + "/branches/" + SEG % "branch" + "/objects", "delete_object", op_delete_object, True),
    ("GET", R + "/refs/" + SEG % "ref" + "/objects", "get_object", op_get_object, True),
    ("GET", R + "/refs/" + SEG % "ref" + "/objects/stat", "stat_object", op_stat_object, True),
    ("GET", R + "/refs/" + SEG % "ref" + "/objects/ls", "list_objects", op_list_objects, True),
    ("GET", R + "/refs/" + SEG % "ref" + "/commits", "log", op_log, True),
    ("POST", R + "/refs/" + SEG % "sourceRef" + "/merge/" + SEG % "destinationBranch", "merge", op_merge, True),
    ("GET", R + "/refs/" + SEG % "sourceRef" + "/merge/" + SEG % "destinationBranch", "merge_base",
     op_merge_base, True),
    ("GET", R + "/refs/" + SEG % "leftRef" + "/diff/" + SEG % "rightRef", "diff_refs", op_diff_refs, True),
    ("GET", R + "/commits/" + SEG % "commitId", "get_commit", op_get_commit, True),
    ("GET", R + "/tags", "list_tags", op_list_tags, True),
    ("POST", R + "/tags", "create_tag", op_create_tag, True),
    ("GET", R + "/tags/" + SEG % "tag", "get_tag", op_get_tag, True),
    ("DELETE", R + "/tags/" + SEG % "tag", "delete_tag", op_delete_tag, True),
]
ROUTES = [(m, re.compile("^" + rx + "$"), name, fn, auth) for m, rx, name, fn, auth in ROUTES]
OPERATIONS = sorted({r[2] for r in ROUTES})


# ---------------------------------------------------------------------------
# Fault injection and call log (test-only, not part of lakeFS).
# ---------------------------------------------------------------------------

class Faults:
    def __init__(self):
        self.lock = threading.Lock()
        self.counts = {}  # op -> number of (authenticated) calls so far; "any" counts all
        self.faults = []
        self.next_id = 1

    def add(self, spec):
        call = spec.get("call")
        if call != "any" and call not in OPERATIONS:
            raise ApiError(400, "unknown call %r; expected one of: any, %s" % (call, ", ".join(OPERATIONS)))
        action = spec.get("action")
        if action not in FAULT_ACTIONS:
            raise ApiError(400, "unknown action %r; expected one of: %s" % (action, ", ".join(FAULT_ACTIONS)))
        nth = spec.get("nth", 1)
        times = spec.get("times", 1)
        if not isinstance(nth, int) or nth < 1 or not isinstance(times, int) or times == 0 or times < -1:
            raise ApiError(400, "nth must be an integer >= 1; times an integer >= 1 or -1 (forever)")
        then = spec.get("then", "respond")
        if action == "hang" and then not in HANG_THEN:
            raise ApiError(400, "unknown then %r; expected one of: %s" % (then, ", ".join(HANG_THEN)))
        status = spec.get("status", 500 if action != "fail429" else 429)
        if action == "fail500" or (action == "hang" and then == "fail500"):
            status = 500
        if action == "fail429" or (action == "hang" and then == "fail429"):
            status = 429
        if not isinstance(status, int) or not 100 <= status <= 599:
            raise ApiError(400, "status must be an HTTP status code")
        seconds = spec.get("seconds", 30)
        if not isinstance(seconds, (int, float)) or seconds < 0:
            raise ApiError(400, "seconds must be a number >= 0")
        with self.lock:
            f = {"id": self.next_id, "call": call, "nth": nth, "times": times, "action": action,
                 "then": then if action == "hang" else None, "status": status, "seconds": seconds,
                 "message": spec.get("message"), "base": self.counts.get(call, 0), "fired": 0}
            self.next_id += 1
            self.faults.append(f)
            return dict(f)

    def clear(self):
        with self.lock:
            self.faults = []

    def reset(self):
        with self.lock:
            self.faults = []
            self.counts = {}

    def list(self):
        with self.lock:
            return [dict(f) for f in self.faults]

    def on_call(self, op):
        """Counts a call of op and returns the fault that fires for it, if any."""
        with self.lock:
            self.counts[op] = self.counts.get(op, 0) + 1
            self.counts["any"] = self.counts.get("any", 0) + 1
            for f in self.faults:
                if f["call"] not in (op, "any"):
                    continue
                k = self.counts[f["call"]] - f["base"]  # 1-based index among calls after registration
                last = float("inf") if f["times"] == -1 else f["nth"] + f["times"] - 1
                if f["nth"] <= k <= last:
                    f["fired"] += 1
                    return dict(f)
        return None


class Emulator:
    def __init__(self, args):
        self.args = args
        self.committer = args.committer
        self.started = now_s()
        self.store = Store(args.repository or [], args.default_branch, args.committer, args.state_file)
        self.faults = Faults()
        self.calls_lock = threading.Lock()
        self.calls = []
        self.seq = 0

    def record_call(self, entry):
        with self.calls_lock:
            self.seq += 1
            entry["seq"] = self.seq
            self.calls.append(entry)

    def state_json(self):
        st = self.store
        with st.lock:
            repos = {}
            for name, r in st.repos.items():
                repos[name] = dict(
                    repo_json(r),
                    branches={bn: {"commit_id": b["commit_id"], "hidden": b.get("hidden", False),
                                   "staging": {p: (None if e is None else {"checksum": e["checksum"],
                                                                           "size_bytes": e["size_bytes"]})
                                               for p, e in sorted(b["staging"].items())}}
                              for bn, b in sorted(r["branches"].items())},
                    tags=dict(r["tags"]),
                    commits={cid: dict(commit_json(c),
                                       objects={p: e["checksum"] for p, e in sorted(c["tree"].items())})
                             for cid, c in r["commits"].items()})
            return {"emulator": "lakefs-emulator (not lakeFS)", "repositories": repos}


# ---------------------------------------------------------------------------
# HTTP layer
# ---------------------------------------------------------------------------

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "lakefs-emulator"

    def log_message(self, fmt, *args):
        if self.server.emu.args.verbose:
            sys.stderr.write("lakefs-emulator: %s - %s\n" % (self.address_string(), fmt % args))

    def do_GET(self):
        self.dispatch("GET")

    def do_POST(self):
        self.dispatch("POST")

    def do_PUT(self):
        self.dispatch("PUT")

    def do_DELETE(self):
        self.dispatch("DELETE")

    def do_PATCH(self):
        self.dispatch("PATCH")

    def read_body(self):
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while True:
                line = self.rfile.readline().strip()
                size = int(line.split(b";")[0], 16)
                if size == 0:
                    while self.rfile.readline().strip():
                        pass
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def send(self, resp):
        self.send_response(resp.status)
        if resp.status not in (204, 304):
            self.send_header("Content-Type", resp.content_type)
            self.send_header("Content-Length", str(len(resp.data)))
        self.end_headers()
        if resp.status not in (204, 304) and self.command != "HEAD":
            self.wfile.write(resp.data)

    def drop(self):
        self.close_connection = True
        try:
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def dispatch(self, method):
        emu = self.server.emu
        url = urlsplit(self.path)
        body = self.read_body()
        qlists = parse_qs(url.query, keep_blank_values=True)
        query = {k: v[-1] for k, v in qlists.items()}
        if url.path == CONTROL_PREFIX or url.path.startswith(CONTROL_PREFIX + "/"):
            return self.control(method, url.path[len(CONTROL_PREFIX):], query, body)
        if not url.path.startswith(API_PREFIX + "/"):
            return self.send(Response(404, {"message": "not found (lakefs-emulator serves /api/v1)"}))
        sub = url.path[len(API_PREFIX):]
        route, params, path_matched = None, None, False
        for m, rx, name, fn, auth in ROUTES:
            mt = rx.match(sub)
            if mt:
                path_matched = True
                if m == method:
                    route, params = (m, rx, name, fn, auth), {k: unquote(v) for k, v in mt.groupdict().items()}
                    break
        if route is None:
            if path_matched:
                return self.send(Response(405, {"message": "method not allowed"}))
            return self.send(Response(404, {"message": "invalid API endpoint"}))
        _, _, op, fn, needs_auth = route
        entry = {"op": op, "method": method, "path": self.path, "time": time.time(), "fault": None,
                 "dropped": False}
        if op in ("upload_object",):
            entry["request_bytes"] = len(body)
        elif body:
            try:
                entry["request"] = json.loads(body)
            except ValueError:
                entry["request_bytes"] = len(body)
        if needs_auth and not self.authorized():
            entry["status"] = 401
            emu.record_call(entry)
            return self.send(Response(401, {"message": "error authenticating request"}))

        fault = emu.faults.on_call(op)
        action = None
        if fault:
            entry["fault"] = fault["action"] if fault["action"] != "hang" else "hang+" + fault["then"]
            action = fault["action"]
            if action == "hang":
                time.sleep(fault["seconds"])
                action = fault["then"]
        if action in ("fail500", "fail429", "fail"):
            msg = fault.get("message") or ("lakefs-emulator: injected fault (HTTP %d)" % fault["status"])
            resp = Response(fault["status"], {"message": msg})
            entry["status"] = resp.status
            emu.record_call(entry)
            return self.send(resp)
        if action == "drop_before_apply":
            entry["status"] = None
            entry["dropped"] = True
            emu.record_call(entry)
            return self.drop()

        try:
            kwargs = {"ql": qlists} if fn is op_log else {}
            resp = fn(emu, params, query, body, self.headers, **kwargs)
        except ApiError as e:
            resp = Response(e.status, e.body)
        except Exception as e:  # a bug in the emulator: answer 500 and say so
            resp = Response(500, {"message": "lakefs-emulator internal error: %r" % (e,)})
        entry["status"] = resp.status
        if resp.status >= 400 and resp.json is not None:
            entry["response"] = resp.json
        if action == "drop_after_apply":
            entry["dropped"] = True
            entry["applied_status"] = resp.status
            entry["status"] = None
            emu.record_call(entry)
            return self.drop()
        emu.record_call(entry)
        self.send(resp)

    def authorized(self):
        emu = self.server.emu
        h = self.headers.get("Authorization") or ""
        if not h.startswith("Basic "):
            return False
        try:
            ak, _, sk = base64.b64decode(h[6:].strip()).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return False
        return hmac.compare_digest(ak, emu.args.access_key_id) and \
            hmac.compare_digest(sk, emu.args.secret_access_key)

    def control(self, method, sub, query, body):
        emu = self.server.emu
        try:
            if sub == "/faults" and method == "POST":
                return self.send(Response(201, emu.faults.add(parse_json_body(body))))
            if sub == "/faults" and method == "GET":
                return self.send(Response(200, {"faults": emu.faults.list()}))
            if sub == "/faults" and method == "DELETE":
                emu.faults.clear()
                return self.send(Response(204))
            if sub == "/calls" and method == "GET":
                with emu.calls_lock:
                    calls = [c for c in emu.calls if c["seq"] > int(query.get("since", 0))]
                    if query.get("op"):
                        calls = [c for c in calls if c["op"] == query["op"]]
                return self.send(Response(200, {"calls": calls}))
            if sub == "/calls" and method == "DELETE":
                with emu.calls_lock:
                    emu.calls = []
                return self.send(Response(204))
            if sub == "/state" and method == "GET":
                return self.send(Response(200, emu.state_json()))
            if sub == "/reset" and method == "POST":
                emu.store.reset()
                emu.faults.reset()
                with emu.calls_lock:
                    emu.calls = []
                return self.send(Response(204))
            if sub in ("", "/") and method == "GET":
                return self.send(Response(200, {"emulator": "lakefs-emulator (not lakeFS)",
                                                "operations": OPERATIONS, "fault_actions": FAULT_ACTIONS}))
            return self.send(Response(404, {"message": "unknown emulator control endpoint"}))
        except ApiError as e:
            return self.send(Response(e.status, e.body))


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


CONTROL_HELP = """\
Test-only control endpoints (NOT part of lakeFS, no authentication):
  POST   /_emulator/faults   {"call": OP|"any", "nth": N (default 1), "times": T (default 1, -1 = forever),
                              "action": "fail500"|"fail429"|"fail"|"hang"|"drop_after_apply"|"drop_before_apply",
                              "status": CODE (for "fail"), "seconds": S (for "hang", default 30),
                              "then": "respond"|"fail500"|"fail429"|"fail"|"drop_after_apply"|"drop_before_apply"
                                      (what "hang" does after sleeping, default "respond"),
                              "message": TEXT (error message for fail*)}
                             -> 201 with the fault. The fault fires on the nth..(nth+times-1)th authenticated
                             call of OP counted from registration.
  GET    /_emulator/faults   -> {"faults": [...]} (with "fired" counts)
  DELETE /_emulator/faults   -> 204, removes all faults
  GET    /_emulator/calls[?since=SEQ][&op=OP] -> {"calls": [{seq, op, method, path, status, fault, dropped, ...}]}
  DELETE /_emulator/calls    -> 204
  GET    /_emulator/state    -> repositories, branches (commit id, staging), tags, commits (with object checksums)
  POST   /_emulator/reset    -> 204; fresh repositories from --repository, no faults, empty call log
Operations: """ + ", ".join(OPERATIONS)


def main(argv=None):
    ap = argparse.ArgumentParser(
        prog="lakefs_emulator.py",
        description="lakeFS EMULATOR for tests -- this is NOT lakeFS.\n"
                    "It serves a small, in-memory imitation of lakeFS's REST API (/api/v1: branches,\n"
                    "commits, merges, merge base, log, diff, tags, object upload/delete) for Arbor's\n"
                    "tests, plus test-only /_emulator/ control endpoints. Prints\n"
                    "'lakefs-emulator ready port=PORT' on stdout once listening.",
        epilog=CONTROL_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    ap.add_argument("--port", type=int, default=0, help="port to listen on; 0 picks a free port (default 0)")
    ap.add_argument("--repository", action="append", metavar="NAME",
                    help="create this repository at start-up, with its default branch at an initial commit "
                         "(repeatable)")
    ap.add_argument("--default-branch", default="main", help="default branch of created repositories (main)")
    ap.add_argument("--access-key-id", required=True, help="access key id accepted with HTTP basic auth")
    ap.add_argument("--secret-access-key", required=True, help="secret access key accepted with HTTP basic auth")
    ap.add_argument("--committer", default="admin", help="committer recorded in commits (default admin)")
    ap.add_argument("--state-file", help="persist state as JSON in this file and load it at start-up, so the "
                                         "emulator can be restarted (e.g. in crash tests)")
    ap.add_argument("--verbose", action="store_true", help="log every request on stderr")
    args = ap.parse_args(argv)
    for name in args.repository or []:
        if not RE_REPOSITORY_ID.match(name):
            ap.error("invalid repository name %r (lakeFS requires ^[a-z0-9][a-z0-9-]{2,62}$)" % name)
    emu = Emulator(args)
    httpd = Server((args.host, args.port), Handler)
    httpd.emu = emu
    print("lakefs-emulator ready port=%d" % httpd.server_address[1], flush=True)
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        httpd.server_close()


if __name__ == "__main__":
    main()
