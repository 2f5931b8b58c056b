#!/usr/bin/env python3
"""Accuracy of opslint on labelled real repositories, per area.

Usage: bench/accuracy.py MIRRORS [LABELS]
  MIRRORS  a folder holding each labelled repository as MIRRORS/<owner>+<name>/repo
           (a bare mirror or a clone; fetched separately, never committed)
  LABELS   bench/accuracy/labels.toml by default

For each area it reports, over the labelled findings:
  precision  of the practices opslint reports present (pass), how many are present;
  recall     of the practices present, how many opslint reports;
  alarms     of the failures opslint reports, how many are real gaps;
and lists every finding that disagrees with its label. Targets (issue 3): per-area
precision >= 0.95 and recall >= 0.90.
"""
import json
import subprocess
import sys
import tomllib
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def ratio(hits, total):
    return f"{hits / total:.2f} ({hits}/{total})" if total else "   -"


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    mirrors = Path(sys.argv[1])
    labels = Path(sys.argv[2]) if len(sys.argv) > 2 else ROOT / "bench/accuracy/labels.toml"
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    opslint = ROOT / "target/release/opslint"
    counts = defaultdict(lambda: defaultdict(int))
    disagreements = []
    for repo in tomllib.loads(labels.read_text())["repo"]:
        path = mirrors / repo["name"].replace("/", "+") / "repo"
        if not path.exists():
            print(f"skipped {repo['name']}: no mirror at {path}", file=sys.stderr)
            continue
        run = subprocess.run(
            [opslint, "check", path, "--rev", "HEAD", "--format", "json"],
            capture_output=True, text=True,
        )
        found = {f["rule"]: f for f in json.loads(run.stdout)["findings"]}
        for rule, expected in repo["expect"].items():
            got = found.get(rule, {}).get("status", "missing")
            area = counts[rule.split(".")[0]]
            area["reported_pass"] += got == "pass"
            area["true_pass"] += expected == "pass"
            area["both_pass"] += got == "pass" and expected == "pass"
            area["reported_fail"] += got == "fail"
            area["both_fail"] += got == "fail" and expected == "fail"
            if got != expected:
                message = found.get(rule, {}).get("message", "")
                disagreements.append(f"{repo['name']}: {rule} is {got}, expected {expected} — {message}")
    print(f"{'area':15} {'precision':14} {'recall':14} {'alarms':14}")
    for area, c in sorted(counts.items()):
        print(f"{area:15} {ratio(c['both_pass'], c['reported_pass']):14} "
              f"{ratio(c['both_pass'], c['true_pass']):14} {ratio(c['both_fail'], c['reported_fail']):14}")
    total = defaultdict(int)
    for c in counts.values():
        for key, value in c.items():
            total[key] += value
    print(f"{'all':15} {ratio(total['both_pass'], total['reported_pass']):14} "
          f"{ratio(total['both_pass'], total['true_pass']):14} {ratio(total['both_fail'], total['reported_fail']):14}")
    if disagreements:
        print("\ndisagreements:")
        for line in disagreements:
            print("  " + line)


if __name__ == "__main__":
    main()
