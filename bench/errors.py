#!/usr/bin/env python3
"""Error findings on repositories nobody tuned on: bench/accuracy/errors.toml, rescanned.

Usage: bench/errors.py MIRRORS [--opslint PATH]
  MIRRORS  a folder holding each repository as MIRRORS/<owner>+<name>/repo (fetched
           separately, never committed)

Each repository is scanned at its recorded commit, tree rules only. Per set it prints the
error-severity failures judged then and still reported (right and wrong), those that went,
and every new one, which needs judging (read the repository; add it to errors.toml). The
precision printed counts only judged findings: a new one is neither right nor wrong yet.
"""
import argparse
import json
import subprocess
import sys
import tomllib
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mirrors", type=Path)
    parser.add_argument("--opslint", type=Path)
    args = parser.parse_args()
    opslint = args.opslint
    if opslint is None:
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
        opslint = ROOT / "target/release/opslint"
    corpus = tomllib.loads((ROOT / "bench/accuracy/errors.toml").read_text())["repo"]
    tally = defaultdict(lambda: defaultdict(int))
    new, gone, still_wrong = [], [], []
    for repo in corpus:
        path = args.mirrors / repo["name"].replace("/", "+") / "repo"
        if not path.exists():
            print(f"skipped {repo['name']}: no mirror at {path}", file=sys.stderr)
            continue
        run = subprocess.run(
            [opslint, "check", path, "--rev", repo["commit"], "--no-history", "--format", "json"],
            capture_output=True, text=True,
        )
        if run.returncode not in (0, 1):
            print(f"{repo['name']}: exit {run.returncode}: {run.stderr.strip()}", file=sys.stderr)
            continue
        counts = tally[repo["set"]]
        counts["repositories"] += 1
        reported = {f["rule"]: f for f in json.loads(run.stdout)["findings"]
                    if f["status"] == "fail" and f["severity"] == "error"}
        judged = {error["rule"]: error for error in repo.get("error", [])}
        for rule, error in judged.items():
            if rule in reported:
                counts[f"still {error['verdict']}"] += 1
                if error["verdict"] == "wrong":
                    still_wrong.append(f"{repo['name']}: {rule} — {reported[rule]['message']}")
            else:
                counts[f"gone {error['verdict']}"] += 1
                gone.append(f"{repo['name']}: {rule} ({error['verdict']}) is "
                            f"no longer an error")
        for rule, finding in reported.items():
            if rule not in judged:
                counts["new"] += 1
                new.append(f"{repo['name']}: {rule} — {finding['message']}")
    print(f"{'set':4} {'repos':>6} {'judged then':>12} {'still right':>12} {'still wrong':>12} "
          f"{'new':>5} {'precision (judged)':>19}")
    for set_no, c in sorted(tally.items()):
        then = c["still right"] + c["still wrong"] + c["gone right"] + c["gone wrong"]
        judged_now = c["still right"] + c["still wrong"]
        precision = f"{c['still right'] / judged_now:.2f}" if judged_now else "-"
        print(f"{set_no:<4} {c['repositories']:>6} {then:>12} {c['still right']:>12} "
              f"{c['still wrong']:>12} {c['new']:>5} {precision:>19}")
    for title, lines in (("still wrong", still_wrong), ("no longer reported", gone),
                         ("new, to judge", new)):
        if lines:
            print(f"\n{title}:")
            for line in lines:
                print(f"  {line}")


if __name__ == "__main__":
    main()
