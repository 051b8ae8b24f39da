"""Stopping the server processes the tests start (the reference HMS, Trino): SIGTERM,
then SIGKILL if the process has not exited within the grace period, so a hung JVM
never outlives its test module. Returns the exit code."""

import subprocess


def stop_process(proc, grace_seconds=30):
    if proc.poll() is None:
        proc.terminate()
        try:
            return proc.wait(timeout=grace_seconds)
        except subprocess.TimeoutExpired:
            proc.kill()
    return proc.wait()
