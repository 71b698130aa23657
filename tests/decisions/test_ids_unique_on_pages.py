"""A decision's page and an issue's page hold several forms (options, deciding, action
items, reasons, editing, solving): every element id on each is used once, so that each
label names its own field."""

from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser

from accord.decisions import services
from tests.conftest import login


class _Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: Counter[str] = Counter()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name == "id" and value:
                self.ids[value] += 1


def repeated_ids(html: str) -> list[str]:
    parser = _Ids()
    parser.feed(html)
    return sorted(i for i, n in parser.ids.items() if n > 1)


def test_a_decisions_page_with_its_option_and_action_item_forms_repeats_no_id(cast):
    d = services.create_decision(cast.org, cast.member, "Which queue?", approver=cast.leader)
    services.add_option(cast.org, cast.member, d, "Kafka")
    for who in (cast.member, cast.leader):  # the proposer's forms, the approver's
        response = login(who).get(f"/o/acme/decisions/{d.pk}/")
        html = response.content.decode()
        assert repeated_ids(html) == []
        assert 'id="id_option_title"' in html and 'for="id_option_title"' in html


def test_an_option_added_from_the_page_is_still_added(cast):
    d = services.create_decision(cast.org, cast.member, "Which queue?", approver=cast.leader)
    response = login(cast.member).post(
        f"/o/acme/decisions/{d.pk}/options/", {"title": "RabbitMQ", "pros": "Simple"}
    )
    assert response.status_code == 302
    assert list(d.options.values_list("title", "pros")) == [("RabbitMQ", "Simple")]


def test_an_issues_page_repeats_no_id(cast):
    issue = services.raise_issue(cast.org, cast.member, cast.platform, "Flaky builds")
    html = login(cast.member).get(f"/o/acme/decisions/issues/{issue.pk}/").content.decode()
    assert "Mark solved" in html
    assert repeated_ids(html) == []
