"""Memory and time of reading, planning and applying a large organization file.

    .venv/bin/python bench/interchange_size.py FILE [--steps tree,read,plan,apply]
        [--migrated accord.sqlite3]

Each step runs in a child process of its own (so each peak resident memory is its own),
into a fresh SQLite directory (copied from --migrated, else migrated): `tree` parses the
whole file into memory the way files were read before (engine.parse) and validates it,
`read` parses and validates it item by item (engine.read_source, what plan and apply do),
`plan` plans it into an empty organization, `apply` applies it there. Prints CPU seconds
(after start-up), wall seconds and peak RSS of each, and the ratios of peak memory to the
file's size.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def child(step: str, path: str, migrated: str) -> None:
    data_dir = tempfile.mkdtemp(prefix="accord-bench-size-")
    os.environ["ACCORD_DATA_DIR"] = data_dir
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accord.settings")
    if migrated:
        import shutil

        shutil.copy(migrated, Path(data_dir) / "accord.sqlite3")
    import django

    django.setup()
    if not migrated:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
    from accord.interchange import engine, services

    source = Path(path).read_bytes()
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    cpu, wall = time.process_time(), time.perf_counter()
    if step in ("tree", "read"):
        ctx = engine.Context(None, services.all_kinds())
        if step == "tree":
            desired = engine.read(ctx, engine.parse(source))
        else:
            desired = engine.read_source(ctx, source)
        result = {
            "items": sum(len(v) for v in desired.sections.values()),
            "problems": len(ctx.report),
        }
    else:
        run = services.plan_file if step == "plan" else services.apply_file
        outcome = run(source, org_slug="copy")
        result = {"changes": len(outcome.changes), "problems": len(outcome.report)}
    result.update(
        cpu=time.process_time() - cpu,
        wall=time.perf_counter() - wall,
        peak_mib=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        startup_mib=base / 1024,
    )
    print(json.dumps(result))
    import shutil

    shutil.rmtree(data_dir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("file")
    parser.add_argument("--steps", default="tree,read,plan,apply")
    parser.add_argument("--migrated", default="")
    parser.add_argument("--child", default="")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.file, args.migrated)
        return
    size = Path(args.file).stat().st_size
    print(f"{args.file}: {size:,} bytes ({size / 2**20:.1f} MiB)")
    for step in args.steps.split(","):
        cmd = [sys.executable, __file__, args.file, "--child", step, "--migrated", args.migrated]
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if done.returncode:
            print(f"{step}: failed\n{done.stderr[-2000:]}")
            continue
        r = json.loads(done.stdout.strip().splitlines()[-1])
        extra = ", ".join(f"{k} {r[k]:,}" for k in ("items", "changes", "problems") if k in r)
        print(
            f"{step:<6} cpu {r['cpu']:8.2f} s   wall {r['wall']:8.2f} s   peak rss "
            f"{r['peak_mib']:7.0f} MiB (start-up {r['startup_mib']:.0f}; "
            f"{(r['peak_mib'] - r['startup_mib']) * 2**20 / size:5.1f}x the file)   {extra}",
            flush=True,
        )


if __name__ == "__main__":
    main()
