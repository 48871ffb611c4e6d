#!/usr/bin/env python3
"""tmpctl create against GNU mktemp, measured in one run on this machine.

1. Process latency: `tmpctl create -p DIR` and `mktemp -p DIR`, interleaved
   (the order rotates every round), each started with posix_spawn and waited
   for; the median ratio is reported.
2. Bulk: `tmpctl create -n 10000 -p DIR` against a shell loop of 10,000
   `mktemp -p DIR`, alternating, median of --bulk-rounds each; and the
   kernel's floor, 10,000 exclusive creates from one process.

`--baseline TMPCTL` times another tmpctl build (the one before a change) in the
same rounds, in both parts; `--variant LABEL=TMPCTL` (repeatable) more builds
in the latency part. The order of the programs rotates every round.

Usage: bench/compare_create.py TMPCTL [--rounds N] [--bulk-rounds N] [--dir DIR]
                               [--baseline TMPCTL]
Results go to stdout as Markdown rows for docs/benchmarks.md.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import tempfile
import time


def spawn_wait(argv):
    with open(os.devnull, "wb") as null:
        start = time.perf_counter()
        pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=[
            (os.POSIX_SPAWN_DUP2, null.fileno(), 1)])
        _, status = os.waitpid(pid, 0)
        elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{argv} failed")
    return elapsed


def empty(directory):
    for name in os.listdir(directory):
        path = os.path.join(directory, name)
        if os.path.isdir(path):
            shutil.rmtree(path)
        else:
            os.unlink(path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tmpctl")
    parser.add_argument("--rounds", type=int, default=500)
    parser.add_argument("--bulk-rounds", type=int, default=5)
    parser.add_argument("--dir", default=None, help="where to create (default: a new dir in /tmp)")
    parser.add_argument("--baseline", help="another tmpctl build to time in the same run")
    parser.add_argument("--variant", action="append", default=[], metavar="LABEL=TMPCTL",
                        help="more builds for the latency part, each labelled (repeatable)")
    args = parser.parse_args()

    tmpctl = os.path.abspath(args.tmpctl)
    mktemp = shutil.which("mktemp")
    work = tempfile.mkdtemp(prefix="tmpctl-bench.", dir=args.dir)
    try:
        commands = {
            "tmpctl create": [tmpctl, "create", "-p", work],
            "mktemp": [mktemp, "-p", work],
        }
        if args.baseline:
            commands["tmpctl create (baseline)"] = [os.path.abspath(args.baseline), "create",
                                                    "-p", work]
        for variant in args.variant:
            label, _, program = variant.partition("=")
            commands[label] = [os.path.abspath(program), "create", "-p", work]
        for argv in commands.values():  # warm the page cache
            for _ in range(20):
                spawn_wait(argv)
        empty(work)
        times = {name: [] for name in commands}
        for round_ in range(args.rounds):
            names = list(commands)
            shift = round_ % len(names)
            order = names[shift:] + names[:shift]
            for name in order:
                times[name].append(spawn_wait(commands[name]))
            if round_ % 100 == 99:
                empty(work)
        empty(work)
        med = {name: statistics.median(values) * 1e3 for name, values in times.items()}
        ratio = med["tmpctl create"] / med["mktemp"]
        print(f"| latency, median of {args.rounds} interleaved runs | "
              f"tmpctl create {med['tmpctl create']:.3f} ms | mktemp {med['mktemp']:.3f} ms | "
              f"ratio {ratio:.2f} |")
        for variant in args.variant:
            label = variant.partition("=")[0]
            print(f"| variant | {label} {med[label]:.3f} ms | ratio to mktemp "
                  f"{med[label] / med['mktemp']:.2f} |")
        if args.baseline:
            base = med["tmpctl create (baseline)"]
            print(f"| baseline, same rounds | tmpctl create (baseline) {base:.3f} ms | "
                  f"ratio to mktemp {base / med['mktemp']:.2f} | "
                  f"new/baseline {med['tmpctl create'] / base:.2f} |")

        if args.bulk_rounds == 0:
            return
        loop = f'for i in $(seq 10000); do {mktemp} -p "{work}" >/dev/null; done'
        bulk = {"tmpctl create -n 10000": [], "shell loop of 10000 mktemp": [],
                "floor": []}
        if args.baseline:
            bulk["baseline create -n 10000"] = []
        for round_ in range(args.bulk_rounds):
            for name in (list(bulk) if round_ % 2 == 0 else list(reversed(bulk))):
                start = time.perf_counter()
                if name.startswith("tmpctl") or name.startswith("baseline"):
                    program = tmpctl if name.startswith("tmpctl") else os.path.abspath(args.baseline)
                    subprocess.run([program, "create", "-n", "10000", "-p", work], check=True,
                                   stdout=subprocess.DEVNULL)
                elif name == "floor":
                    # The kernel's share: 10,000 exclusive creates and closes
                    # in one process, no names to draw, nothing printed.
                    for i in range(10000):
                        os.close(os.open(os.path.join(work, f"f{i}"),
                                         os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600))
                else:
                    subprocess.run(["bash", "-c", loop], check=True)
                bulk[name].append(time.perf_counter() - start)
                empty(work)
        bmed = {name: statistics.median(values) for name, values in bulk.items()}
        speedup = bmed["shell loop of 10000 mktemp"] / bmed["tmpctl create -n 10000"]
        print(f"| 10,000 files, median of {args.bulk_rounds} | "
              f"tmpctl create -n 10000 {bmed['tmpctl create -n 10000']:.3f} s | "
              f"shell loop of mktemp {bmed['shell loop of 10000 mktemp']:.2f} s | "
              f"tmpctl {speedup:.0f}x faster | floor (10,000 os.open+close in one "
              f"process) {bmed['floor']:.3f} s |")
        if args.baseline:
            base = bmed["baseline create -n 10000"]
            print(f"| baseline create -n 10000 {base:.3f} s | "
                  f"new/baseline {bmed['tmpctl create -n 10000'] / base:.2f} |")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
