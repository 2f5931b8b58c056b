#!/usr/bin/env python3
"""Appends two years of history to a synthetic repository, as a fast-import stream.

Usage: synth_timeline.py PARENT_COMMIT START_EPOCH > stream
One commit every three days for two years on top of PARENT_COMMIT (the synthetic monorepo of
synth.py): each edits a few source files of its services, now and then adds one; a CODEOWNERS
file, a devcontainer and a Terraform module arrive and one is removed along the way, so the
timeline has practices to find. Deterministic.
"""
import sys

parent, start = sys.argv[1], int(sys.argv[2])
out = sys.stdout.buffer
DAY = 86_400


def commit(n, when, message, files, removed=()):
    out.write(b"commit refs/heads/main\n")
    out.write(b"committer Dev %d <dev%d@example.com> %d +0000\n" % (n % 7, n % 7, when))
    out.write(b"data %d\n%s\n" % (len(message), message.encode()))
    if n == 0:
        out.write(b"from %s\n" % parent.encode())
    for path in removed:
        out.write(b"D %s\n" % path.encode())
    for path, text in files.items():
        data = text.encode()
        out.write(b"M 100644 inline %s\ndata %d\n%s\n" % (path.encode(), len(data), data))


for n in range(243):
    when = start + n * 3 * DAY
    files = {f"services/svc{(n * 7 + k) % 40}/src/main.go": f"package main\n// change {n}.{k}\nfunc main() {{}}\n" for k in range(3)}
    removed = []
    message = f"change {n}"
    if n % 10 == 0:
        files[f"services/svc{n % 40}/src/extra_{n}.go"] = "package main\n"
    if n == 60:
        files["CODEOWNERS"] = "* @platform\n"
        message = "Add code owners"
    if n == 120:
        files[".devcontainer/devcontainer.json"] = '{"image": "mcr.microsoft.com/devcontainers/go:1"}\n'
        message = "Add a dev container"
    if n == 150:
        removed.append("CODEOWNERS")
        message = "Drop code owners"
    if n == 200:
        files["infra/main.tf"] = 'terraform {\n  required_version = ">= 1.6"\n}\n'
        message = "Add infrastructure"
    commit(n, when, message, files, removed)
