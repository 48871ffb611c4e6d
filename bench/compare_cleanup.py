#!/usr/bin/env python3
"""tmpctl cleanup against find -delete and systemd-tmpfiles --clean, in one run.

1. Wall time: a tree of DIRS directories x FILES files of 64 bytes, half of
   them with an mtime 10 days old, is copied (cp -a, not timed) before each
   run of each tool; the tools take turns, the order flipping every round.
   - find DIR -type f -mtime +7 -delete
   - systemd-tmpfiles --clean with the rule "e DIR - - - m:7d" (mtime only)
   - tmpctl cleanup --older-than 7d --age-by mtime DIR (in-use check on:
     one /proc scan and /proc/locks per run), with its default threads (one
     per processor) and with -j1
   Each run's removals are counted; every tool must remove the same number.
   Peak memory is read from wait4's rusage (maxrss).
2. Parallel deletion: two find -delete processes on the two halves of the
   tree against one on the whole, to see whether this machine's file system
   deletes faster from two threads (the gain tmpctl's threads can hope for).
3. --memory-files N: peak memory of one tmpctl cleanup over a tree of N files
   (1,000 per directory, half stale), built in --dir.

Usage: bench/compare_cleanup.py TMPCTL [--rounds N] [--dirs N] [--files N]
                                 [--dir DIR] [--memory-files N] [--baseline TMPCTL]
`--baseline` times another tmpctl build (the one before a change) in the same
rounds, so "no slower than before" is a ratio from one run.
Results go to stdout as Markdown rows for docs/benchmarks.md.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import tempfile
import time

TEN_DAYS = 10 * 86400


def make_tree(root, dirs, files):
    old = time.time() - TEN_DAYS
    os.mkdir(root)
    payload = b"x" * 64
    for d in range(dirs):
        directory = os.path.join(root, f"d{d:04}")
        os.mkdir(directory)
        for f in range(files):
            path = os.path.join(directory, f"f{f:05}")
            with open(path, "wb") as out:
                out.write(payload)
            if f % 2 == 1:
                os.utime(path, (old, old))


def count_files(root):
    return sum(len(files) for _, _, files in os.walk(root))


def timed(argv):
    """Runs argv under GNU time; returns (seconds, peak RSS in KiB). A child
    of this script would report Python's RSS as its peak (Linux carries the
    pre-exec peak over), so /usr/bin/time, a small C program, is the parent."""
    with tempfile.NamedTemporaryFile() as report, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        code = subprocess.run(["/usr/bin/time", "-o", report.name, "-f", "%M", *argv],
                              stdout=subprocess.DEVNULL, stderr=err).returncode
        elapsed = time.perf_counter() - start
        if code != 0:
            err.seek(0)
            raise SystemExit(f"{argv} failed ({code}): {err.read().decode(errors='replace')}")
        peak = int(open(report.name).read().split()[-1])
    return elapsed, peak


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("tmpctl")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--dirs", type=int, default=100)
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--dir", default="/tmp")
    parser.add_argument("--memory-files", type=int, default=0)
    parser.add_argument("--baseline", help="another tmpctl build to time in the same run")
    args = parser.parse_args()
    tmpctl = os.path.abspath(args.tmpctl)

    work = tempfile.mkdtemp(prefix="cleanup-bench.", dir=args.dir)
    try:
        template = os.path.join(work, "template")
        make_tree(template, args.dirs, args.files)
        total = count_files(template)
        copy = os.path.join(work, "copy")
        rules = os.path.join(work, "tmpfiles.conf")
        with open(rules, "w") as out:
            out.write(f"e {copy} - - - m:7d\n")

        tools = {
            "find -delete": ["find", copy, "-type", "f", "-mtime", "+7", "-delete"],
            "systemd-tmpfiles --clean": ["systemd-tmpfiles", "--clean", rules],
            "tmpctl cleanup": [tmpctl, "cleanup", "--older-than", "7d", "--age-by", "mtime", copy],
            "tmpctl cleanup -j1": [tmpctl, "cleanup", "-j1", "--older-than", "7d", "--age-by",
                                   "mtime", copy],
        }
        if args.baseline:
            tools["tmpctl cleanup (baseline)"] = [os.path.abspath(args.baseline), "cleanup",
                                                  "--older-than", "7d", "--age-by", "mtime", copy]
        times = {name: [] for name in tools}
        memory = {name: [] for name in tools}
        names = list(tools)
        for round_ in range(args.rounds):
            for name in (names if round_ % 2 == 0 else list(reversed(names))):
                subprocess.run(["cp", "-a", template, copy], check=True)
                os.sync()
                elapsed, rss = timed(tools[name])
                removed = total - count_files(copy)
                if removed != total // 2:
                    raise SystemExit(f"{name} removed {removed}, expected {total // 2}")
                times[name].append(elapsed)
                memory[name].append(rss)
                shutil.rmtree(copy)

        find_median = statistics.median(times["find -delete"])
        print(f"Tree: {args.dirs} dirs x {args.files} files of 64 B in {args.dir}, "
              f"{total // 2} stale; {args.rounds} rounds, median wall time.\n")
        print("| command | median wall | min | max | peak RSS | ratio to find |")
        print("|---|---|---|---|---|---|")
        for name in names:
            median = statistics.median(times[name])
            print(f"| `{name}` | {median:.3f} s | {min(times[name]):.3f} s | "
                  f"{max(times[name]):.3f} s | {max(memory[name]) / 1024:.1f} MiB | "
                  f"{median / find_median:.2f} |")

        # Does deleting from two processes at once help on this machine?
        half = args.dirs // 2
        one, two = [], []
        for _ in range(args.rounds):
            subprocess.run(["cp", "-a", template, copy], check=True)
            os.sync()
            start = time.perf_counter()
            subprocess.run(["find", copy, "-type", "f", "-mtime", "+7", "-delete"], check=True)
            one.append(time.perf_counter() - start)
            shutil.rmtree(copy)
            subprocess.run(["cp", "-a", template, copy], check=True)
            os.sync()
            parts = [[os.path.join(copy, f"d{d:04}") for d in range(half)],
                     [os.path.join(copy, f"d{d:04}") for d in range(half, args.dirs)]]
            start = time.perf_counter()
            processes = [subprocess.Popen(["find", *part, "-type", "f", "-mtime", "+7", "-delete"])
                         for part in parts]
            for process in processes:
                process.wait()
            two.append(time.perf_counter() - start)
            shutil.rmtree(copy)
        print(f"\nParallel deletion: one find {statistics.median(one):.3f} s, two finds on "
              f"halves at once {statistics.median(two):.3f} s "
              f"(ratio {statistics.median(two) / statistics.median(one):.2f}).")

        if args.memory_files:
            big = os.path.join(work, "big")
            make_tree(big, args.memory_files // 1000, 1000)
            elapsed, rss = timed([tmpctl, "cleanup", "--older-than", "7d", "--age-by", "mtime", big])
            print(f"\nMemory: tmpctl cleanup over {args.memory_files} files "
                  f"({args.memory_files // 2} removed) in {elapsed:.1f} s, "
                  f"peak RSS {rss / 1024:.1f} MiB.")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
