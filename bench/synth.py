#!/usr/bin/env python3
"""Writes a git fast-import stream for a synthetic monorepo of about N files.

Usage: synth.py FILES > stream   (then: git init -q repo && git -C repo fast-import < stream)
Services mix Go, Rust, Python and Node, each with manifests, tests, a Dockerfile and
Kubernetes manifests, plus shared workflows at the root: the shape of a real monorepo.
"""
import sys

target = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
out = sys.stdout.buffer


def blob(path, text):
    data = text.encode()
    out.write(b"M 100644 inline " + path.encode() + b"\n")
    out.write(b"data %d\n" % len(data) + data + b"\n")


out.write(b"commit refs/heads/main\n")
out.write(b"author Bench <bench@example.com> 1767225600 +0000\n")
out.write(b"committer Bench <bench@example.com> 1767225600 +0000\n")
message = b"synthetic monorepo"
out.write(b"data %d\n" % len(message) + message + b"\n")

blob(".github/workflows/ci.yml", "on: [pull_request]\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make test\n")
blob(".github/workflows/release.yml", "on:\n  push:\n    tags: ['v*']\njobs:\n  p:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: docker/build-push-action@v6\n")
blob(".github/dependabot.yml", "version: 2\nupdates: []\n")
blob("Makefile", "test:\n\tgo test ./...\n")
written = 4
service = 0
languages = ["go", "rust", "python", "node"]
while written < target:
    name = f"svc-{service:05d}"
    lang = languages[service % len(languages)]
    base = f"services/{name}"
    files = {
        f"{base}/Dockerfile": f"FROM debian:12-slim\nLABEL service={name}\nHEALTHCHECK CMD /bin/true\n",
        f"{base}/k8s/deployment.yaml": f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n",
        f"{base}/k8s/service.yaml": f"apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\n",
        f"{base}/README.md": f"# {name}\n",
    }
    if lang == "go":
        files[f"{base}/go.mod"] = f"module example.com/{name}\n\ngo 1.23\n"
        files[f"{base}/go.sum"] = f"example.com/{name} v0.0.0 h1:x=\n"
        ext, test = "go", "_test.go"
    elif lang == "rust":
        files[f"{base}/Cargo.toml"] = f'[package]\nname = "{name}"\nversion = "0.1.0"\n'
        files[f"{base}/Cargo.lock"] = "version = 4\n"
        ext, test = "rs", "_test.rs"
    elif lang == "python":
        files[f"{base}/pyproject.toml"] = f'[project]\nname = "{name}"\n'
        files[f"{base}/uv.lock"] = "version = 1\n"
        ext, test = "py", "_test.py"
    else:
        files[f"{base}/package.json"] = f'{{"name": "{name}"}}\n'
        files[f"{base}/package-lock.json"] = "{}\n"
        ext, test = "ts", ".test.ts"
    for module in range(20):
        files[f"{base}/src/pkg{module // 5}/module{module}.{ext}"] = f"// {name} module {module}\n"
    for module in range(6):
        files[f"{base}/tests/module{module}{test}"] = f"// test {name} {module}\n"
    for doc in range(10):
        files[f"{base}/docs/page{doc}.md"] = f"# {name} page {doc}\n"
    for path, text in files.items():
        if written >= target:
            break
        blob(path, text)
        written += 1
    service += 1
out.write(b"\n")
