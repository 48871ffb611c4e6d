#!/usr/bin/env python3
"""tmpctl remove -r against rm -rf, in one run (and against an earlier tmpctl).

A tree of DIRS directories x FILES files of 64 bytes is copied (cp -a, not
timed) before each run of each tool; the tools take turns, the order flipping
every round. Each must leave nothing. `--baseline BIN` adds another tmpctl
build (the one before a change), so "no slower than before" is measured in
the same run.

Usage: bench/compare_remove.py TMPCTL [--baseline TMPCTL] [--rounds N]
                                [--dirs N] [--files N] [--dir DIR]
Results go to stdout as Markdown rows for docs/benchmarks.md.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import tempfile

from compare_cleanup import make_tree, timed


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("tmpctl")
    parser.add_argument("--baseline")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--dirs", type=int, default=100)
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--dir", default="/tmp")
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="remove-bench.", dir=args.dir)
    try:
        template = os.path.join(work, "template")
        make_tree(template, args.dirs, args.files)
        copy = os.path.join(work, "copy")
        tools = {"rm -rf": ["rm", "-rf", copy],
                 "tmpctl remove -r": [os.path.abspath(args.tmpctl), "remove", "-r", copy]}
        if args.baseline:
            tools["tmpctl remove -r (baseline)"] = [os.path.abspath(args.baseline), "remove",
                                                    "-r", copy]
        times = {name: [] for name in tools}
        memory = {name: [] for name in tools}
        names = list(tools)
        for round_ in range(args.rounds):
            for name in (names if round_ % 2 == 0 else list(reversed(names))):
                subprocess.run(["cp", "-a", template, copy], check=True)
                os.sync()
                elapsed, rss = timed(tools[name])
                if os.path.lexists(copy):
                    raise SystemExit(f"{name} left {copy} behind")
                times[name].append(elapsed)
                memory[name].append(rss)

        rm_median = statistics.median(times["rm -rf"])
        print(f"Tree: {args.dirs} dirs x {args.files} files of 64 B in {args.dir}; "
              f"{args.rounds} rounds, median wall time.\n")
        print("| command | median wall | min | max | peak RSS | ratio to rm -rf |")
        print("|---|---|---|---|---|---|")
        for name in names:
            median = statistics.median(times[name])
            print(f"| `{name}` | {median:.3f} s | {min(times[name]):.3f} s | "
                  f"{max(times[name]):.3f} s | {max(memory[name]) / 1024:.1f} MiB | "
                  f"{median / rm_median:.2f} |")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
