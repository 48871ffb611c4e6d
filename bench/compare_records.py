#!/usr/bin/env python3
"""The cost of lifetimes, measured in one run on this machine.

1. `tmpctl create --ttl 1h --tag bench -p DIR` against plain
   `tmpctl create -p DIR` (and GNU `mktemp -p DIR` for scale), interleaved,
   the order rotating every round, each started with posix_spawn and waited
   for. Median of --rounds each; the ratio to plain create is the target
   (within 1.5x).
2. `tmpctl list` and `tmpctl list --json` over --records records (made by one
   `tmpctl create -n N --ttl 1h`), against `ls -l` of the same files; median
   of --list-rounds each. The target is under 0.5 s for 10,000.

The record store is a fresh TMPCTL_RECORDS in the work directory.
`--baseline TMPCTL` times another tmpctl build in the same rounds (its
create, create --ttl, list and list --json; the list over the same store).
Usage: bench/compare_records.py TMPCTL [--rounds N] [--records N] [--list-rounds N] [--dir DIR]
                                [--baseline TMPCTL]
"""
import argparse
import os
import shutil
import statistics
import subprocess
import tempfile
import time


def spawn_wait(argv, env):
    with open(os.devnull, "wb") as null:
        start = time.perf_counter()
        pid = os.posix_spawn(argv[0], argv, env, file_actions=[
            (os.POSIX_SPAWN_DUP2, null.fileno(), 1)])
        _, status = os.waitpid(pid, 0)
        elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in (0,):
        raise SystemExit(f"{argv} failed")
    return elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tmpctl")
    parser.add_argument("--rounds", type=int, default=500)
    parser.add_argument("--records", type=int, default=10000)
    parser.add_argument("--list-rounds", type=int, default=10)
    parser.add_argument("--dir", default=None, help="where to work (default: a new dir in /tmp)")
    parser.add_argument("--baseline", help="another tmpctl build to time in the same run")
    args = parser.parse_args()

    tmpctl = os.path.abspath(args.tmpctl)
    work = tempfile.mkdtemp(prefix="tmpctl-bench.", dir=args.dir)
    try:
        files = os.path.join(work, "files")
        os.mkdir(files)
        env = dict(os.environ, TMPCTL_RECORDS=os.path.join(work, "records"))
        commands = {
            "tmpctl create": [tmpctl, "create", "-p", files],
            "tmpctl create --ttl 1h --tag bench": [tmpctl, "create", "-p", files, "--ttl", "1h",
                                                   "--tag", "bench"],
            "mktemp": [shutil.which("mktemp"), "-p", files],
        }
        base = os.path.abspath(args.baseline) if args.baseline else None
        if base:
            commands["baseline create"] = [base, "create", "-p", files]
            commands["baseline create --ttl 1h --tag bench"] = [base, "create", "-p", files,
                                                                "--ttl", "1h", "--tag", "bench"]
        for argv in commands.values():  # warm the page cache
            for _ in range(20):
                spawn_wait(argv, env)
        times = {name: [] for name in commands}
        names = list(commands)
        for round_ in range(args.rounds):
            shift = round_ % len(names)
            for name in names[shift:] + names[:shift]:
                times[name].append(spawn_wait(commands[name], env))
        plain = statistics.median(times["tmpctl create"])
        print(f"create, {args.rounds} rounds interleaved (median per process):")
        for name in names:
            median = statistics.median(times[name])
            print(f"| `{name}` | {median * 1e3:.3f} ms | {median / plain:.2f} |")

        # A store of N records, all present, for list.
        shutil.rmtree(files)
        shutil.rmtree(env["TMPCTL_RECORDS"])
        os.mkdir(files)
        subprocess.run([tmpctl, "create", "-p", files, "-n", str(args.records), "--ttl", "1h",
                        "--tag", "bench"], env=env, check=True, stdout=subprocess.DEVNULL)
        listing = {
            "tmpctl list": [tmpctl, "list"],
            "tmpctl list --json": [tmpctl, "list", "--json"],
            "ls -l": [shutil.which("ls"), "-l", files],
        }
        if base:
            listing["baseline list"] = [base, "list"]
            listing["baseline list --json"] = [base, "list", "--json"]
        lines = subprocess.run(listing["tmpctl list"], env=env, check=True,
                               capture_output=True).stdout.count(b"\n")
        if lines != args.records + 1:
            raise SystemExit(f"tmpctl list printed {lines} lines for {args.records} records")
        for argv in listing.values():
            spawn_wait(argv, env)
        results = {name: [] for name in listing}
        for round_ in range(args.list_rounds):
            names = list(listing) if round_ % 2 == 0 else list(reversed(listing))
            for name in names:
                argv = listing[name]
                results[name].append(spawn_wait(argv, env))
        ls = statistics.median(results["ls -l"])
        print(f"\nlist over {args.records} records, {args.list_rounds} rounds (median):")
        for name in listing:
            median = statistics.median(results[name])
            print(f"| `{name}` | {median * 1e3:.1f} ms | {median / ls:.2f} |")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
