"""Benchmark and quality figures of duplicate-work detection (`accord/intelligence/duplicates.py`).

    PYTHONPATH=. .venv/bin/python bench/duplicates.py [--items 50000] [--skip-quality]

Scale: the detector's text scoring over N initiatives of one organization, each run in its
own process so the peak memory (max RSS, the whole Python process) is its own:

- "varied": generated initiatives whose titles and descriptions draw words from a real
  English vocabulary (the words of the Python standard library's docstrings, sampled with
  a Zipf law, as words are in real text), 1% of them a paraphrase of another team's item;
- "generated org": the titles `accord generate` gives initiatives (read from a generated
  organization's database given with --org-db, opened immutable), which repeat a few
  hundred phrases: not a fair test of text similarity on its own, so "varied" is the main
  figure;
- incremental: the same index after 1% of the texts changed, and after nothing changed.

Quality: precision and recall at the default threshold, and recall among each item's top
5, on the labelled pairs of tests/intelligence/duplicate_pairs.json and on the Kubernetes
enhancement proposals (../shared/datasets/kubernetes, replaces / superseded-by links as the
known pairs; each proposal's title, its owning group as its team, its authors as people).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def vocabulary() -> list[str]:
    """Distinct words of 3+ letters from the standard library's sources, most common first."""
    counts: dict[str, int] = {}
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    for path in sorted(stdlib.glob("*.py"))[:400]:
        for word in re.findall(r"[a-z]{3,}", path.read_text(errors="ignore").lower()):
            counts[word] = counts.get(word, 0) + 1
    return sorted(counts, key=lambda w: (-counts[w], w))[:20000]


def varied_items(n: int, seed: int = 1):
    from accord.intelligence.duplicates import Item

    rng = random.Random(seed)
    words = vocabulary()
    cum, total = [], 0.0
    for r in range(len(words)):
        total += 1 / (r + 1)
        cum.append(total)
    teams = max(1, n // 5)

    def phrase(k: int) -> list[str]:
        return rng.choices(words, cum_weights=cum, k=k)

    items = []
    for i in range(1, n + 1):
        if i > 100 and rng.random() < 0.01:  # a paraphrase of an earlier item elsewhere
            src = items[rng.randrange(len(items))].text.split()
            keep = [w for w in src if rng.random() < 0.7]
            text = " ".join(keep + phrase(len(src) - len(keep)))
        else:
            text = (
                " ".join(phrase(rng.randint(3, 7))) + "\n" + " ".join(phrase(rng.randint(15, 45)))
            )
        items.append(Item(id=i, team_id=1 + rng.randrange(teams), text=text))
    return items


def org_items(db: str, n: int):
    import sqlite3

    from accord.intelligence.duplicates import Item

    con = sqlite3.connect(f"file:{db}?immutable=1", uri=True)  # never writes
    rows = con.execute(
        "select id, team_id, title, description from alignment_initiative order by id limit ?",
        (n,),
    ).fetchall()
    con.close()
    return [Item(id=r[0], team_id=r[1], text=f"{r[2]}\n{r[3] or ''}".strip()) for r in rows]


def run_scale(kind: str, n: int, db: str | None) -> dict:
    """In this process: build the items, then time the full run and two incremental ones."""
    from accord.intelligence import duplicates

    items = varied_items(n) if kind == "varied" else org_items(db or "", n)
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    key = ("bench", kind)
    limit = duplicates.DEFAULTS["max_pairs"]  # as the detector asks: evidence for these only
    t, c = time.perf_counter(), time.process_time()
    pairs = duplicates.find_pairs(items, key=key, limit=limit)
    full, full_cpu = time.perf_counter() - t, time.process_time() - c
    rng = random.Random(2)
    for item in rng.sample(items, max(1, n // 100)):
        item.text = item.text + " revised " + str(rng.random())
    t, c = time.perf_counter(), time.process_time()
    duplicates.find_pairs(items, key=key, limit=limit)
    inc, inc_cpu = time.perf_counter() - t, time.process_time() - c
    rescored = duplicates.kept(key).rescored
    t, c = time.perf_counter(), time.process_time()
    duplicates.find_pairs(items, key=key, limit=limit)
    same, same_cpu = time.perf_counter() - t, time.process_time() - c
    return {
        "kind": kind,
        "items": len(items),
        "pairs_kept": len(pairs),
        "full_s": round(full, 2),
        "full_cpu_s": round(full_cpu, 2),
        "incremental_1pct_s": round(inc, 2),
        "incremental_1pct_cpu_s": round(inc_cpu, 2),
        "rescored": rescored,
        "unchanged_s": round(same, 2),
        "unchanged_cpu_s": round(same_cpu, 2),
        "load_average": round(os.getloadavg()[0], 1),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "rss_before_mib": round(rss0 / 1024),
    }


def labelled_quality():
    from accord.intelligence import duplicates

    ids: dict[str, int] = {}
    known = []
    path = ROOT / "tests" / "intelligence" / "duplicate_pairs.json"
    for pair in json.loads(path.read_text())["pairs"]:
        a, b = (ids.setdefault(t, len(ids) + 1) for t in (pair["a"], pair["b"]))
        if pair["label"] == "duplicate":
            known.append((a, b))
    items = [duplicates.Item(id=i, team_id=i, text=t) for t, i in ids.items()]
    return duplicates.measure(items, known), len(items)


def kubernetes_items(directory: Path):
    """Each proposal: its title as text, its owning group as team, its authors as people
    (an author of both counts as a person in both). Known pairs: replaces-links."""
    from accord.intelligence import duplicates
    from accord.interchange import kubernetes
    from accord.interchange.kubernetes_import import build

    data = kubernetes.read(directory)
    document, _ = build(data)
    ids = {row["id"]: n for n, row in enumerate(document["initiatives"], start=1)}
    teams: dict[str, int] = {}
    people: dict[str, int] = {}
    items = []
    for row in document["initiatives"]:
        title = row["title"].split(": ", 1)[-1]
        authors = re.search(r"^Authors: (.*)\.$", row["description"], re.M)
        handles = [a.strip() for a in authors.group(1).split(",")] if authors else []
        pids = frozenset(people.setdefault(h, len(people) + 1) for h in handles)
        items.append(
            duplicates.Item(
                id=ids[row["id"]],
                team_id=teams.setdefault(row["team"], len(teams) + 1),
                text=title,
                owner_id=min(pids) if pids else None,
                member_ids=pids,
            )
        )
    known = [(ids[link["from"]], ids[link["to"]]) for link in document["initiative_links"]]
    return items, known


def kubernetes_quality(directory: Path):
    """(as the detector runs: pairs across groups only; text alone: every proposal its
    own team, so replacements inside one group count too; proposals)."""
    from accord.intelligence import duplicates

    items, known = kubernetes_items(directory)
    across = duplicates.measure(items, known)
    alone = [duplicates.Item(i.id, i.id, i.text) for i in items]
    return across, duplicates.measure(alone, known), len(items)


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accord.settings")
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=50000)
    parser.add_argument("--org-db", default="", help="a generated organization's SQLite file")
    parser.add_argument("--skip-quality", action="store_true")
    parser.add_argument("--one", choices=["varied", "org"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_scale(args.one, args.items, args.org_db)))
        return
    import django

    django.setup()
    kinds = ["varied"] + (["org"] if args.org_db else [])
    for kind in kinds:
        cmd = [sys.executable, __file__, "--one", kind, "--items", str(args.items)]
        out = subprocess.run([*cmd, "--org-db", args.org_db], capture_output=True, text=True)
        print(out.stdout.strip() or out.stderr.strip()[-2000:])
    if args.skip_quality:
        return
    q, n = labelled_quality()
    print(f"labelled set ({n} initiatives, {q.pairs} paraphrased pairs): {q}")
    k8s = Path(
        os.environ.get(
            "ACCORD_KUBERNETES_DATASET", ROOT.parent / "shared" / "datasets" / "kubernetes"
        )
    )
    if (k8s / "sigs.yaml").exists():
        across, alone, n = kubernetes_quality(k8s)
        print(f"kubernetes ({n} proposals), across groups as the detector runs: {across}")
        print(f"kubernetes ({n} proposals), text alone, any two proposals: {alone}")
    else:
        print(f"kubernetes: skipped, no dataset at {k8s}")


if __name__ == "__main__":
    main()
