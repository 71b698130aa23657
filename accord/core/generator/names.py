"""Names for a synthetic organization: people, teams and the things they work on.

Small fixed word lists combined by a seeded random generator, so the same seed always
gives the same names. Nothing here is meant to be clever; it is meant to read naturally.
"""

from __future__ import annotations

import random


def _words(text: str) -> list[str]:
    return text.split()


FIRST = _words(
    "Ada Aisha Alejandro Amara Anders Ana Arjun Astrid Ben Bianca Carlos Chen Chloe Dara "
    "David Diego Elena Emeka Emma Farah Felix Fatima Gabriel Grace Hana Hugo Ines Ivan "
    "Jamal Jana Jonas Julia Kai Kenji Lara Leila Leo Lina Lucas Maya Mateo Mei Mina Nadia "
    "Nina Noah Omar Oscar Priya Rafael Ravi Rosa Sami Sara Sofia Tariq Tomas Uma Vera "
    "Victor Wei Yara Yusuf Zoe Zara"
)
LAST = _words(
    "Adams Ahmed Alvarez Andersen Bauer Becker Chen Costa Cruz Dubois Eriksson Fischer "
    "Garcia Gupta Haddad Hansen Ito Jansen Kaur Kim Kowalski Larsen Lopez Martin Meyer "
    "Moreau Murphy Nakamura Nguyen Novak Okafor Olsen Park Patel Petrov Quinn Rossi Sato "
    "Schmidt Silva Singh Sousa Tanaka Torres Ueda Varga Wagner Walker Wang Weber Yilmaz "
    "Young Zhang Ziegler"
)
TITLES = (
    "Software Engineer",
    "Senior Software Engineer",
    "Staff Engineer",
    "Product Manager",
    "Designer",
    "Data Analyst",
    "Data Scientist",
    "Site Reliability Engineer",
    "QA Engineer",
    "Technical Writer",
    "Operations Specialist",
    "Account Manager",
)
TIMEZONES = (
    "Europe/London",
    "Europe/Paris",
    "Europe/Berlin",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "Asia/Tokyo",
    "Asia/Kolkata",
    "Australia/Sydney",
    "UTC",
)
DIVISIONS = _words(
    "Engineering Product Operations Sales Marketing Finance People Customer-Success "
    "Platform Data Security Research Supply-Chain Retail Logistics Payments"
)
AREAS = _words(
    "Checkout Search Catalog Identity Billing Pricing Mobile Web Growth Onboarding "
    "Analytics Infrastructure Reliability Storage Messaging Notifications Fulfilment "
    "Inventory Returns Loyalty Partnerships Compliance Fraud Recommendations Content "
    "Localization Accessibility Observability Tooling Integrations Support Warehouse "
    "Routing Forecasting Procurement Reporting Onsite Ads Experimentation"
)
UNITS = ("Platform", "Core", "Experience", "Services", "Insights", "Automation", "Quality")
VERBS = _words(
    "Launch Improve Reduce Grow Rebuild Simplify Automate Migrate Harden Expand "
    "Streamline Modernize Unify Scale"
)
THINGS = [
    "checkout flow",
    "search relevance",
    "onboarding journey",
    "billing pipeline",
    "mobile app",
    "data warehouse",
    "release process",
    "incident response",
    "partner API",
    "pricing engine",
    "recommendation model",
    "support tooling",
    "payment methods",
    "inventory sync",
    "return process",
    "loyalty programme",
    "fraud checks",
    "observability stack",
    "design system",
    "order routing",
]
METRICS = (
    ("Conversion rate", "%", 2.0, 4.0),
    ("Weekly active users", "k", 40.0, 60.0),
    ("p95 latency", "ms", 800.0, 300.0),
    ("Support tickets per week", "", 400.0, 250.0),
    ("Net promoter score", "", 20.0, 40.0),
    ("Revenue", "M$", 5.0, 8.0),
    ("Uptime", "%", 99.5, 99.9),
    ("Deploys per week", "", 10.0, 25.0),
    ("Churn", "%", 6.0, 4.0),
    ("Cost per order", "$", 3.2, 2.5),
    ("Test coverage", "%", 55.0, 75.0),
    ("Time to resolve", "h", 48.0, 24.0),
)
QUESTIONS = (
    "Should we adopt {thing} vendor A or build our own?",
    "Do we delay the {thing} launch to next quarter?",
    "Which team owns the {thing} from now on?",
    "Do we drop support for the old {thing}?",
    "Should we staff a second squad on the {thing}?",
    "Do we move the {thing} to the shared platform?",
)
ACTIONS = (
    "Write up the {thing} options",
    "Follow up with {team} on the {thing}",
    "Draft the {thing} rollout plan",
    "Review the {thing} metrics",
    "Share the {thing} decision with stakeholders",
    "Fix the flaky {thing} alerts",
)
ISSUES = (
    "{thing} is blocked on a missing API",
    "Not enough reviewers for the {thing}",
    "{thing} keeps paging the on-call",
    "Conflicting priorities on the {thing}",
    "{thing} budget is not approved",
)


class Namer:
    """Deterministic names from one seeded random generator."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self._team_names: set[str] = set()

    def person(self) -> str:
        return f"{self.rng.choice(FIRST)} {self.rng.choice(LAST)}"

    def team(self, depth: int, parent_name: str) -> str:
        """A team name fitting its depth: divisions near the root, areas then units below."""
        rng = self.rng
        if depth == 0:
            name = "Headquarters"
        elif depth == 1:
            name = rng.choice(DIVISIONS).replace("-", " ")
        elif depth == 2:
            name = f"{parent_name.split()[0]} {rng.choice(AREAS)}"
        else:
            name = f"{rng.choice(AREAS)} {rng.choice(UNITS)}"
        base, n = name, 2
        while name in self._team_names:
            name = f"{base} {n}"
            n += 1
        self._team_names.add(name)
        return name

    def thing(self) -> str:
        return self.rng.choice(THINGS)

    def initiative(self) -> str:
        return f"{self.rng.choice(VERBS)} the {self.thing()}"

    def objective(self, area: str) -> str:
        return f"{self.rng.choice(VERBS)} {area.lower()} {self.thing()}"

    def question(self) -> str:
        return self.rng.choice(QUESTIONS).format(thing=self.thing())

    def action(self, team: str) -> str:
        return self.rng.choice(ACTIONS).format(thing=self.thing(), team=team)

    def issue(self) -> str:
        text = self.rng.choice(ISSUES).format(thing=self.thing())
        return text[0].upper() + text[1:]
