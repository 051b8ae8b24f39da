"""The README's quickstart, run as written against a real arbord.

The block between <!-- quickstart --> markers is executed line by line with bash,
from a directory where `build/` and `examples/` are this checkout's, against a
server on free ports (ARBOR_SERVER and ARBOR_THRIFT_PORT point the tools at it,
instead of the 9083/9084 that `make run` uses).
"""

import os
import re
import subprocess
import tempfile

from harness import ARBORD, ArbordTestCase, main

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def quickstart_lines():
    with open(os.path.join(REPO, "README.md")) as f:
        text = f.read()
    block = re.search(r"<!-- quickstart -->\s*```sh\n(.*?)```\s*<!-- /quickstart -->", text, re.S)
    assert block, "README.md has no quickstart block"
    return [line for line in block.group(1).splitlines() if line.strip()]


class ReadmeQuickstartTest(ArbordTestCase):
    def test_quickstart_runs_as_written(self):
        lines = quickstart_lines()
        self.assertGreaterEqual(len(lines), 8)
        build_dir = os.path.dirname(os.path.dirname(os.path.abspath(ARBORD)))
        work = tempfile.mkdtemp(prefix="arbor-readme-")
        os.symlink(build_dir, os.path.join(work, "build"))
        os.symlink(os.path.join(REPO, "examples"), os.path.join(work, "examples"))
        env = dict(os.environ)
        env["ARBOR_SERVER"] = "http://127.0.0.1:%d" % self.server.http_port
        env["ARBOR_THRIFT_PORT"] = str(self.server.port)
        outputs = []
        # One shell for the whole block, so `export` carries over as in a terminal.
        script = "set -e\n" + "\n".join(
            'echo "@@@ %s"\n%s' % (line.replace('"', '\\"'), line) for line in lines)
        proc = subprocess.run(["bash", "-c", script], cwd=work, env=env,
                              capture_output=True, text=True, timeout=120)
        self.assertEqual(proc.returncode, 0,
                         "quickstart failed:\n" + proc.stdout + "\n" + proc.stderr)
        for chunk in proc.stdout.split("@@@ ")[1:]:
            command, _, output = chunk.partition("\n")
            outputs.append((command, output))
        # The diff shows the branch's changes; the merge brings them to main.
        diff = [o for c, o in outputs if "arbor diff" in c][0]
        self.assertIn("ds=2024-01-01", diff)
        self.assertIn("owner", diff)
        merge = [o for c, o in outputs if "arbor merge" in c][0]
        self.assertIn("merged", merge)
        partitions = [o for c, o in outputs if "get-partitions" in c][0]
        self.assertEqual(partitions.split(), ["ds=2024-01-01"])
        log = [o for c, o in outputs if "arbor log" in c][0]
        self.assertIn("create orders", log)
        self.assertIn("created table", proc.stdout)


if __name__ == "__main__":
    main()
