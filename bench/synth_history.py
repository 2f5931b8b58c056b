#!/usr/bin/env python3
"""Writes a git fast-import stream for a synthetic history of N commits.

Usage: synth_history.py COMMITS > stream   (then: git fast-import < stream in a new repo)
A team's history, not a toy: about 1,500 source, test, docs and CI files; each commit edits,
adds or removes lines in one to a few of them (a few large commits among many small ones),
now and then adds or deletes a file; topic branches are merged with merge commits; authors
rotate; version tags every few hundred commits. Deterministic (seeded).
"""
import random
import sys

commits = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
out = sys.stdout.buffer
rng = random.Random(4)
authors = [f"Dev {n} <dev{n}@example.com>" for n in range(40)]
kinds = ["src/{}/mod{}.py", "src/{}/mod{}.go", "tests/{}/test_{}.py", "docs/{}/page{}.md"]
files = {}
for n in range(1500):
    path = rng.choice(kinds).format(f"area{n % 60}", n)
    files[path] = [f"line {n}.{k} {rng.random():.6f}\n" for k in range(rng.randint(10, 300))]
files[".github/workflows/ci.yml"] = ["on: [pull_request]\n", "jobs: {}\n"]
time = 1_600_000_000
mark = 0


def write_commit(branch, parents, message, changes, author):
    global mark, time
    mark += 1
    time += rng.randint(60, 3600)
    out.write(b"commit refs/heads/%s\nmark :%d\n" % (branch.encode(), mark))
    out.write(f"author {author} {time} +0000\ncommitter {author} {time} +0000\n".encode())
    data = message.encode()
    out.write(b"data %d\n" % len(data) + data + b"\n")
    for index, parent in enumerate(parents):
        out.write(b"%s :%d\n" % (b"from" if index == 0 else b"merge", parent))
    for path, lines in changes:
        if lines is None:
            out.write(b"D " + path.encode() + b"\n")
        else:
            body = "".join(lines).encode()
            out.write(b"M 100644 inline " + path.encode() + b"\n")
            out.write(b"data %d\n" % len(body) + body + b"\n")
    out.write(b"\n")
    return mark


def edit(commit_number):
    """A change to one to a few files; one in twenty is large."""
    changes = []
    paths = rng.sample(sorted(files), rng.choice([1, 1, 1, 2, 2, 3, 5]))
    large = rng.random() < 0.05
    for path in paths:
        lines = files[path]
        for _ in range(rng.randint(20, 200) if large else rng.randint(1, 8)):
            position = rng.randint(0, len(lines))
            roll = rng.random()
            text = f"edit {commit_number} {rng.random():.6f}\n"
            if roll < 0.5 and position < len(lines):
                lines[position] = text
            elif roll < 0.8 or len(lines) < 5:
                lines.insert(position, text)
            elif position < len(lines):
                del lines[position]
        changes.append((path, lines))
    if rng.random() < 0.01:
        path = f"src/new/file{commit_number}.py"
        files[path] = [f"new {commit_number}.{k}\n" for k in range(rng.randint(5, 100))]
        changes.append((path, files[path]))
    if rng.random() < 0.005 and len(files) > 100:
        path = rng.choice(sorted(files))
        del files[path]
        changes.append((path, None))
    return changes


main = write_commit("main", [], "initial", sorted(files.items()), authors[0])
made = 1
while made < commits:
    author = rng.choice(authors)
    if rng.random() < 0.1:
        # A topic branch of a few commits, merged with a merge commit.
        tip = main
        for _ in range(rng.randint(1, 4)):
            tip = write_commit("topic", [tip], f"topic work {made}", edit(made), author)
            made += 1
        main = write_commit("main", [main, tip], f"Merge topic {made}", [], author)
    else:
        main = write_commit("main", [main], f"change {made}", edit(made), author)
    made += 1
    if made % 400 == 0:
        out.write(b"tag v1.%d.0\nfrom :%d\ntagger %s %d +0000\ndata 0\n\n" % (made // 400, main, authors[0].encode(), time))
