"""Run one command and print its wall time and peak memory as JSON: a fresh process per measurement.

getrusage(RUSAGE_CHILDREN).ru_maxrss is the peak of the largest process this helper waited for
(including grandchildren their parents waited for, such as lii-check's durable_rules child). It is a
maximum over the process's whole life, so each measurement needs its own helper. Where psutil is
installed (`pip install -e '.[bench]'`), the summed RSS of the whole process tree is also sampled.

    python bench/measure.py --timeout 600 -- lii-check check --format json corpus/
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import subprocess
import sys
import threading
import time

SAMPLE_SECONDS = 0.05


def _sample_tree(pid: int, peak: list[int], done: threading.Event) -> None:
    try:
        import psutil
    except ImportError:
        return
    try:
        root = psutil.Process(pid)
    except psutil.Error:
        return
    peak.append(0)
    while not done.is_set():
        total = 0
        try:
            for proc in [root, *root.children(recursive=True)]:
                try:
                    total += proc.memory_info().rss
                except psutil.Error:
                    pass
        except psutil.Error:
            break
        peak[0] = max(peak[0], total)
        done.wait(SAMPLE_SECONDS)


def measure(command: list[str], timeout: float, stdout_path: str = os.devnull) -> dict:
    with open(stdout_path, "wb") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.PIPE, start_new_session=True)
        peak: list[int] = []
        done = threading.Event()
        sampler = threading.Thread(target=_sample_tree, args=(proc.pid, peak, done), daemon=True)
        sampler.start()
        timed_out = False
        try:
            _, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            os.killpg(proc.pid, signal.SIGKILL)  # the group this helper started, nothing else
            _, err = proc.communicate()
        wall = time.perf_counter() - start
        done.set()
        sampler.join()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "wall_s": wall,
        "returncode": proc.returncode,
        "timed_out": timed_out,
        "peak_rss_mb": usage.ru_maxrss / 1024,  # Linux reports KiB
        "tree_peak_rss_mb": peak[0] / 2**20 if peak else None,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "stderr_tail": err.decode("utf-8", "replace")[-2000:],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=3600)
    parser.add_argument("--stdout", default=os.devnull, help="where the command's stdout goes")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the command to measure after --")
    print(json.dumps(measure(command, args.timeout, args.stdout)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
