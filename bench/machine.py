"""What machine a benchmark ran on, for the results table."""
from __future__ import annotations

import os
import platform


def describe() -> str:
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), cpu)
    except OSError:
        pass
    mem = ""
    try:
        with open("/proc/meminfo", encoding="utf-8") as f:
            kb = int(next(line.split()[1] for line in f if line.startswith("MemTotal")))
            mem = f", {kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, StopIteration):
        pass
    return f"{os.cpu_count()} cores ({cpu}){mem}, {platform.system()} {platform.release()}, Python {platform.python_version()}"


def calibration() -> float:
    """Milliseconds for a fixed pure-Python loop (median of five): how fast this shared machine is right now.

    The same code measured here at different times of one day took 440-590 ms: compare
    figures from different runs only after dividing by this.
    """
    import statistics
    import time

    times = []
    for _ in range(5):
        started, total = time.perf_counter(), 0
        for i in range(5_000_000):
            total += i
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def load() -> str:
    return "load {:.1f} {:.1f} {:.1f}".format(*os.getloadavg())
