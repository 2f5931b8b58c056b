#!/usr/bin/env python3
"""How far two independent labellers agree: the ceiling for bench/accuracy.py's figures.

Usage: bench/agreement.py

Scores bench/accuracy/second-opinion.toml (the same repositories labelled again by someone who
had not seen the first labels) against bench/accuracy/labels.toml, per area, with the measures
accuracy.py uses for opslint: precision and recall of `pass`, and how often the status agrees.
Where two careful readers of a repository disagree, a tool cannot be held to better than they do.
"""
import tomllib
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent / "accuracy"


def ratio(hits, total):
    return f"{hits / total:.2f} ({hits}/{total})" if total else "   -"


def main():
    first = {repo["name"]: repo["expect"]
             for repo in tomllib.loads((ROOT / "labels.toml").read_text())["repo"]}
    second = tomllib.loads((ROOT / "second-opinion.toml").read_text())["repo"]
    areas = defaultdict(lambda: defaultdict(int))
    for repo in second:
        expected = first[repo["name"]]
        for rule, status in repo["expect"].items():
            if rule not in expected:
                continue
            for key in (rule.split(".")[0], "all"):
                counts = areas[key]
                counts["second_pass"] += status == "pass"
                counts["first_pass"] += expected[rule] == "pass"
                counts["both_pass"] += status == "pass" and expected[rule] == "pass"
                counts["labels"] += 1
                counts["same"] += status == expected[rule]
    print(f"{len(second)} repositories labelled twice\n")
    print(f"{'area':16} {'precision':14} {'recall':14} {'same status':14}")
    for area in sorted(areas, key=lambda name: (name == "all", name)):
        c = areas[area]
        print(f"{area:16} {ratio(c['both_pass'], c['second_pass']):14} "
              f"{ratio(c['both_pass'], c['first_pass']):14} {ratio(c['same'], c['labels']):14}")


if __name__ == "__main__":
    main()
