"""The demo's decisions read as real ones: what is proposed or decided, and each option
weighed, answers the question asked ("Which two do we cut?" is not answered "Yes")."""

from __future__ import annotations

import re

from accord import demo
from accord.decisions.models import Decision, DecisionOption

# A question answered yes or no: "Do we ...?", "Is ...?"; one naming its choices ("A or
# B?") or asking which, where or how much is answered by what it asks for.
YES_OR_NO = re.compile(r"^(Do|Does|Is|Are|Should|Can|Will)\b")
A_YES_OR_NO = re.compile(r"^(Yes|No|Not now)\b")


def test_every_answer_in_the_demo_answers_its_question(db):
    org = demo.load()
    decisions = list(Decision.objects.filter(org=org))
    options = {}
    for option in DecisionOption.objects.filter(decision__in=decisions):
        options.setdefault(option.decision_id, []).append(option.title)
    proposed = [d for d in decisions if d.status == "proposed"]
    assert len(proposed) >= 2 and all(d.outcome for d in proposed)
    wrong = []
    for d in decisions:
        answers = [d.outcome] * bool(d.outcome) + options.get(d.pk, [])
        if " or " in d.question or not YES_OR_NO.match(d.question):
            wrong += [(d.question, a) for a in answers if A_YES_OR_NO.match(a)]
    assert wrong == []
