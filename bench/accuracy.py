#!/usr/bin/env python3
"""Accuracy of opslint on labelled real repositories, per area and per rule.

Usage: bench/accuracy.py MIRRORS [--split dev|heldout|all] [--opslint PATH]
  MIRRORS  a folder holding each labelled repository as MIRRORS/<owner>+<name>/repo
           (a bare mirror or a clone; fetched separately, never committed)
  --split  which labelled repositories to score (default dev): bench/accuracy/labels.toml,
           or bench/accuracy/heldout.toml, labelled the same way and never looked at while
           fixing: its disagreements are not printed, only the figures.
  --opslint a built binary; by default `cargo build --release` and target/release/opslint
  --repo   only these repositories (OWNER/NAME, repeatable): a batch's figures on its own

Each repository is scanned at its labelled `commit` (HEAD when the label has none), tree
rules only, as a clone of github.com/OWNER/NAME: a mirror copied without its git config has
no remote, so each is scanned through a stand-in git directory in a temporary folder that
borrows the mirror's objects (`objects/info/alternates`, hence `--allow-alternates`) and
names the remote, as a clone's config would. The mirror itself is only read. Over the labelled findings it reports, per area and for every error- and
warning-severity rule:
  precision  of the practices opslint reports present (pass), how many are present;
  recall     of the practices present, how many opslint reports;
  alarms     of the failures opslint reports, how many are real gaps;
and the alarm precision of the failures reported at `error` severity: an error turns a team's
CI red.
Targets (issue 18): per-area precision and recall >= 0.95, every error rule's alarm
precision >= 0.98, ci.runs-tests recall >= 0.95.
"""
import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import tomllib
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def ratio(hits, total):
    return f"{hits / total:.2f} ({hits}/{total})" if total else "   -"


def tally(counts, expected, got):
    counts["reported_pass"] += got == "pass"
    counts["true_pass"] += expected == "pass"
    counts["both_pass"] += got == "pass" and expected == "pass"
    counts["reported_fail"] += got == "fail"
    counts["both_fail"] += got == "fail" and expected == "fail"


def row(name, c):
    return (f"{name:44} {ratio(c['both_pass'], c['reported_pass']):14} "
            f"{ratio(c['both_pass'], c['true_pass']):14} "
            f"{ratio(c['both_fail'], c['reported_fail']):14}")


def as_clone(mirror, name, folder):
    """A git directory in `folder` with the refs of `mirror` (bare, or a clone's `.git`),
    borrowing its objects, whose remote is github.com/`name`."""
    git = mirror / ".git" if (mirror / ".git").is_dir() else mirror
    stand_in = Path(folder) / name.replace("/", "+")
    (stand_in / "objects/info").mkdir(parents=True)
    (stand_in / "objects/info/alternates").write_text(f"{(git / 'objects').resolve()}\n")
    for kept in ["HEAD", "packed-refs", "shallow"]:
        if (git / kept).is_file():
            shutil.copy(git / kept, stand_in / kept)
    shutil.copytree(git / "refs", stand_in / "refs")
    (stand_in / "config").write_text(
        f'[core]\n\tbare = true\n[remote "origin"]\n\turl = https://github.com/{name}.git\n')
    return stand_in


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mirrors", type=Path)
    parser.add_argument("--split", choices=["dev", "heldout", "all"], default="dev")
    parser.add_argument("--opslint", type=Path)
    parser.add_argument("--repo", action="append", default=[])
    args = parser.parse_args()
    opslint = args.opslint
    if opslint is None:
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
        opslint = ROOT / "target/release/opslint"

    areas = defaultdict(lambda: defaultdict(int))
    rules = defaultdict(lambda: defaultdict(int))
    listing = subprocess.run([opslint, "rules", "--format", "json"],
                             capture_output=True, text=True, check=True)
    severities = {rule["id"]: rule["severity"] for rule in json.loads(listing.stdout)}
    # The failures reported at `error` (a rule's partial misses are reported lower): what turns
    # a team's CI red, and so what must almost never be wrong.
    red = defaultdict(int)
    # How often the status is the label's, whatever it is (bench/agreement.py gives the same
    # figure for two labellers).
    agreement = defaultdict(int)
    disagreements = []
    scored = 0
    files = {"dev": ["labels.toml"], "heldout": ["heldout.toml"]}.get(
        args.split, ["labels.toml", "heldout.toml"])
    repos = [repo for name in files
             for repo in tomllib.loads((ROOT / "bench/accuracy" / name).read_text()).get("repo", [])]
    if args.repo:
        repos = [repo for repo in repos if repo["name"] in args.repo]
    stand_ins = tempfile.TemporaryDirectory(prefix="opslint-accuracy-")
    for repo in repos:
        mirror = args.mirrors / repo["name"].replace("/", "+") / "repo"
        if not mirror.exists():
            print(f"skipped {repo['name']}: no mirror at {mirror}", file=sys.stderr)
            continue
        path = as_clone(mirror, repo["name"], stand_ins.name)
        run = subprocess.run(
            [opslint, "check", path, "--no-history", "--allow-alternates",
             "--rev", repo.get("commit", "HEAD"), "--format", "json"],
            capture_output=True, text=True,
        )
        if run.returncode not in (0, 1):
            print(f"skipped {repo['name']}: {run.stderr.strip()}", file=sys.stderr)
            continue
        scored += 1
        found = {f["rule"]: f for f in json.loads(run.stdout)["findings"]}
        for rule, expected in repo["expect"].items():
            finding = found.get(rule, {})
            got = finding.get("status", "missing")
            if got == "fail" and finding.get("severity") == "error":
                red["reported"] += 1
                red["real"] += expected == "fail"
            agreement["labels"] += 1
            agreement["same"] += got == expected
            tally(areas[rule.split(".")[0]], expected, got)
            tally(rules[rule], expected, got)
            if got != expected:
                why = repo.get("why", {}).get(rule, "")
                why = f" [label: {why}]" if why else ""
                disagreements.append(
                    f"{repo['name']}: {rule} is {got}, expected {expected} — "
                    f"{finding.get('message', '')}{why}")

    print(f"{scored} repositories ({args.split})\n")
    print(f"{'area':44} {'precision':14} {'recall':14} {'alarms':14}")
    total = defaultdict(int)
    for area, c in sorted(areas.items()):
        print(row(area, c))
        for key, value in c.items():
            total[key] += value
    print(row("all", total))
    print(f"{'same status as the label':44} {ratio(agreement['same'], agreement['labels'])}")
    print(f"\n{'error and warning rules':44} {'precision':14} {'recall':14} {'alarms':14}")
    for rule, c in sorted(rules.items()):
        if severities.get(rule) in ("error", "warning"):
            print(row(f"{rule} ({severities[rule]})", c))
    print(f"\n{'failures reported at error severity':44} {'':14} {'':14} "
          f"{ratio(red['real'], red['reported']):14}")
    if args.split == "dev" and disagreements:
        print("\ndisagreements:")
        for line in disagreements:
            print("  " + line)


if __name__ == "__main__":
    main()
