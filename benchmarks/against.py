"""The default playbook's build, this working tree side by side with an earlier commit, in one run.

    python -m benchmarks.against                 # against HEAD, 7 runs of each, alternating
    python -m benchmarks.against --base v0.1 --repeats 11

Each side is a tree of its own (the earlier commit is read with ``git archive``) that builds its own
default playbook with ``rolebook build``, with the build cache off (every card laid out, every page
converted) and with a warm cache. Runs alternate between the sides so that a busy machine slows both
alike; the report gives the medians and the ratio this tree / the earlier one. A change may not make
the default build more than 5% slower.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GOAL = 1.05
PARTS = ("generator", "roles", "site_config", "templates", "docs", "schema", "scaffold", "mkdocs.yml")


def _tree_at(revision: str, into: Path) -> Path:
    archive = subprocess.run(
        ["git", "archive", "--format=tar", revision, "--", *PARTS], cwd=REPO, capture_output=True, check=True
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        for member in tar.getmembers():
            if member.isfile() or member.isdir():
                tar.extract(member, into, set_attrs=False)
    return into


def _working_tree(into: Path) -> Path:
    for part in PARTS:
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, into / part, ignore=shutil.ignore_patterns("__pycache__"))
        elif source.exists():
            shutil.copy2(source, into / part)
    return into


def _build_once(tree: Path, cache: Path | None) -> float:
    """Seconds of one ``rolebook build`` of the tree's own default playbook, with that tree's code."""
    out = tree.parent / f"{tree.name}-site"
    shutil.rmtree(out, ignore_errors=True)
    env = {**os.environ, "PYTHONPATH": str(tree), "ROLEBOOK_CACHE_DIR": str(cache) if cache else ""}
    command = [sys.executable, "-c", "from generator.cli import main; main()", "build", "-p", str(tree)]
    start = time.perf_counter()
    subprocess.run([*command, "-d", str(out)], cwd=tree, env=env, capture_output=True, check=True)
    return time.perf_counter() - start


def compare(base: str, repeats: int) -> dict[str, tuple[float, float]]:
    with tempfile.TemporaryDirectory(prefix="rolebook-against-") as work:
        trees = {"base": _tree_at(base, Path(work) / "base"), "this": _working_tree(Path(work) / "this")}
        results: dict[str, tuple[float, float]] = {}
        for mode in ("cache off", "warm cache"):
            times: dict[str, list[float]] = {"base": [], "this": []}
            for side, tree in trees.items():  # warm-up: imports compiled, the warm cache filled
                _build_once(tree, Path(work) / f"{side}-cache" if mode == "warm cache" else None)
            for _ in range(repeats):
                for side, tree in trees.items():
                    cache = Path(work) / f"{side}-cache" if mode == "warm cache" else None
                    times[side].append(_build_once(tree, cache))
            results[mode] = (statistics.median(times["base"]), statistics.median(times["this"]))
        return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="HEAD", help="the earlier commit (default: HEAD)")
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args(argv)
    results = compare(args.base, args.repeats)
    print(f"| default build, median of {args.repeats} | {args.base} | this tree | ratio | goal |")
    print("| --- | ---: | ---: | ---: | ---: |")
    met = True
    for mode, (base, this) in results.items():
        ratio = this / base
        met = met and ratio <= GOAL
        print(f"| {mode} | {base:.2f} s | {this:.2f} s | {ratio:.3f} | <= {GOAL} |")
    print("met" if met else "NOT met")
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
