"""A throwaway PostgreSQL cluster for the hub's tests and benchmarks: initdb in a temporary folder, a server on a
Unix socket in that folder (no TCP port), stopped at the end. Nothing is mocked.

The server binaries come from ``pg_config --bindir``, ``/usr/lib/postgresql/<version>/bin`` or
the PATH. As root (CI), the cluster runs as the ``postgres`` system user the Debian package
creates, since PostgreSQL refuses to run as root.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
from pathlib import Path


def server_bindir() -> Path | None:
    candidates = []
    if shutil.which("pg_config"):
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True)
        if out.returncode == 0:
            candidates.append(Path(out.stdout.strip()))
    candidates += [Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)]
    if shutil.which("initdb"):
        candidates.append(Path(shutil.which("initdb")).resolve().parent)
    for d in candidates:
        if (d / "initdb").exists() and (d / "pg_ctl").exists() and (d / "postgres").exists():
            return d
    return None


class Cluster:
    def __init__(self, root: Path) -> None:
        self.bindir = server_bindir()
        if self.bindir is None:
            raise RuntimeError("PostgreSQL server binaries (initdb, pg_ctl, postgres) not found: "
                               "install the Debian package 'postgresql' (.ci/run does)")
        self.root = root
        self.data = root / "data"
        self.socket = root / "run"
        self.user = None
        if os.geteuid() == 0:
            self.user = pwd.getpwnam("postgres")

    def _run(self, *args: str) -> None:
        cmd = [str(self.bindir / args[0]), *args[1:]]
        if self.user is not None:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        done = subprocess.run(cmd, capture_output=True, text=True)
        if done.returncode:
            raise RuntimeError(f"{args[0]} failed ({done.returncode}): {(done.stderr or done.stdout).strip()[-800:]}")

    def start(self) -> "Cluster":
        """``root`` must be a new folder that the server's user can reach (e.g. from mkdtemp)."""
        self.socket.mkdir(parents=True, exist_ok=True)
        if self.user is not None:
            for p in (self.root, self.socket):
                os.chown(p, self.user.pw_uid, self.user.pw_gid)
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "--encoding=UTF8",
                  "--locale=C.UTF-8", "--no-sync")
        return self.restart()

    def restart(self) -> "Cluster":
        """Start the server of a cluster made by ``start`` and stopped since (a benchmark split into
        several runs)."""
        self.socket.mkdir(parents=True, exist_ok=True)
        opts = f"-k {self.socket} -c listen_addresses='' -c fsync=off -c full_page_writes=off " \
               "-c synchronous_commit=off -c max_connections=20 -c shared_buffers=128MB"
        self._run("pg_ctl", "-D", str(self.data), "-o", opts, "-l", str(self.root / "server.log"), "-w", "start")
        return self

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        except RuntimeError:
            pass

    def dsn(self, dbname: str = "postgres", user: str = "postgres") -> str:
        return f"host={self.socket} dbname={dbname} user={user}"
