"""A synthetic organization file: a team tree, people, memberships, objectives, initiatives.

    .venv/bin/python bench/orgfile_gen.py 20000 > /tmp/big.yaml     # 20,000 people

Deterministic (seeded): the same size gives the same file. Shared by the interchange
benchmarks (bench/interchange_load.py, bench/interchange_kill.py).
"""

from __future__ import annotations

import random
import sys


def org_file(people: int, *, slug: str = "bigco", admin: str = "") -> str:
    rnd = random.Random(people)
    teams = max(people // 10, 2)
    out = ["accord: 1", f"organization: {{name: Big Co {people}, slug: {slug}}}", "teams:"]
    out.append("  - {slug: root, name: Root}")
    for t in range(1, teams):
        parent = "root" if t < 10 else f"t{rnd.randrange(1, t) if t > 1 else 1}"
        if parent == f"t{t}":
            parent = "root"
        out.append(f"  - {{slug: t{t}, name: Team {t}, parent: {parent}}}")
    out.append("people:")
    if admin:
        out.append(f"  - {{email: {admin}, name: The Admin, role: admin}}")
    for p in range(people):
        role = "leader" if p % 50 == 0 else "member"
        out.append(
            f"  - {{email: person{p}@bigco.example, name: Person Number {p}, role: {role}, "
            f"timezone: Europe/Paris}}"
        )
    out.append("memberships:")
    for p in range(people):
        team = f"t{rnd.randrange(1, teams)}"
        role = "lead" if p % 10 == 0 else "member"
        out.append(
            f"  - {{team: {team}, person: person{p}@bigco.example, role: {role}, allocation: 80}}"
        )
    out.append("periods:")
    out.append("  - {name: 2026 Q3, start: 2026-07-01, end: 2026-09-30, state: active}")
    out.append("objectives:")
    for t in range(1, teams):
        out.append(
            f"  - {{id: obj-{t}, title: Objective of team {t}, period: 2026 Q3, team: t{t}}}"
        )
    out.append("initiatives:")
    for t in range(1, teams):
        out.append(
            f"  - {{id: ini-{t}, team: t{t}, title: Initiative of team {t}, status: active, "
            f"objectives: [obj-{t}]}}"
        )
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    sys.stdout.write(org_file(int(sys.argv[1]) if len(sys.argv) > 1 else 20000))
