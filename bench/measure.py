"""Measuring requests for the benchmarks: time and SQL inside the app, percentiles, and the machine they ran on."""

import platform
import re
import subprocess
import time
from pathlib import Path

CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


class Timed:
    """WSGI middleware: time inside the app, and the SQL statements the request ran."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app
        self.elapsed = self.cpu = self.db = 0.0
        self.statements: list[tuple[str, object]] = []
        self._query_started = 0.0

    def __call__(self, environ, start_response):
        self.statements = []
        self.db = 0.0
        started, cpu = time.perf_counter(), time.thread_time()
        iterable = self.wsgi_app(environ, start_response)
        try:
            body = b"".join(iterable)
        finally:
            if hasattr(iterable, "close"):
                iterable.close()
        self.elapsed, self.cpu = time.perf_counter() - started, time.thread_time() - cpu
        return [body]

    def before(self, statement, parameters):
        self.statements.append((statement, parameters))
        self._query_started = time.perf_counter()

    def after(self):
        self.db += time.perf_counter() - self._query_started

    def queries(self) -> int:
        return sum(1 for sql, _ in self.statements if sql.strip().upper() not in ("BEGIN", "BEGIN IMMEDIATE"))


def percentile(values: list[float], p: float) -> float:
    """The p-quantile (0..1) of the values, interpolated between the two nearest."""
    ordered = sorted(values)
    k = (len(ordered) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def machine() -> dict:
    """Date, CPU, memory, load, Python and the commit of the code measured."""
    def sh(cmd):
        return subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout.strip()

    return {"date": sh("date -u '+%Y-%m-%d %H:%M UTC'"), "nproc": sh("nproc"), "free": sh("free -h"),
            "cpu": sh("grep -m1 'model name' /proc/cpuinfo"), "loadavg": sh("cat /proc/loadavg"),
            "python": platform.python_version(),
            "commit": sh(f"git -C {Path(__file__).parent} rev-parse --short HEAD"),
            "modified_files": sh(f"git -C {Path(__file__).parent} status --porcelain --untracked-files=no | wc -l")}
