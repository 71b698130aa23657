"""Work trackers: which item a pasted URL names, and its state and progress from the
tracker's API (the JSON shapes of GitHub's REST API, GitLab's API v4 and Jira's REST API 2).

`recognise(url)` is pure; `fetch(item, base_url, token, timeout)` makes the requests through
`accord.core.outbound` and answers a `Progress`, or raises `TrackerError`.
"""

from __future__ import annotations

import base64
import json
import re
import urllib.parse
from dataclasses import dataclass
from typing import Any

from accord.core import outbound

GITHUB = re.compile(r"^/(?P<owner>[^/]+)/(?P<repo>[^/]+)/(?P<kind>issues|milestone)/(?P<n>\d+)/?$")
GITLAB = re.compile(r"^/(?P<path>.+?)/-/(?P<kind>issues|epics|milestones)/(?P<n>\d+)/?$")
JIRA = re.compile(r"^(?P<prefix>/.*?)?/browse/(?P<key>[A-Z][A-Z0-9_]*-\d+)/?$")

GITLAB_KIND = {"issues": "issue", "epics": "epic", "milestones": "milestone"}


class TrackerError(Exception):
    """A pull failed. `auth` is True when the tracker refused the token (401/403)."""

    def __init__(self, message: str, *, auth: bool = False):
        super().__init__(message)
        self.auth = auth


@dataclass(frozen=True)
class Item:
    tracker: str  # github, gitlab, jira
    kind: str  # issue, milestone, epic
    site: str  # scheme://host of the pasted URL
    path: str  # github owner/repo, gitlab group/project or group path, jira site prefix
    ref: str  # number or Jira key


@dataclass(frozen=True)
class Progress:
    state: str
    closed: bool
    done: int
    total: int
    title: str = ""

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else (100 if self.closed else 0)


def recognise(url: str) -> Item | None:
    """The tracker item a URL names, or None."""
    parts = urllib.parse.urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    site, path = f"{parts.scheme}://{parts.netloc}", parts.path
    if m := GITLAB.match(path):
        return Item(
            "gitlab", GITLAB_KIND[m["kind"]], site, m["path"].removeprefix("groups/"), m["n"]
        )
    if m := JIRA.match(path):
        return Item("jira", "issue", site, m["prefix"] or "", m["key"])
    if m := GITHUB.match(path):
        kind = "issue" if m["kind"] == "issues" else "milestone"
        return Item("github", kind, site, f"{m['owner']}/{m['repo']}", m["n"])
    return None


def default_base(item: Item) -> str:
    """The API base when the organization configured none."""
    if item.tracker == "github":
        if urllib.parse.urlsplit(item.site).hostname == "github.com":
            return "https://api.github.com"
        return f"{item.site}/api/v3"  # GitHub Enterprise Server
    if item.tracker == "gitlab":
        return f"{item.site}/api/v4"
    return f"{item.site}{item.path}"  # Jira: the site itself


def _headers(tracker: str, token: str) -> dict[str, str]:
    headers = {"Accept": "application/json", "User-Agent": "Accord"}
    if tracker == "github":
        headers["Accept"] = "application/vnd.github+json"
        if token:
            headers["Authorization"] = f"Bearer {token}"
    elif tracker == "gitlab":
        if token:
            headers["PRIVATE-TOKEN"] = token
    elif token:
        # Jira Cloud: "email:api-token" (basic); Server / Data Center: a personal access token.
        if ":" in token:
            headers["Authorization"] = "Basic " + base64.b64encode(token.encode()).decode()
        else:
            headers["Authorization"] = f"Bearer {token}"
    return headers


NAMES = {"github": "GitHub", "gitlab": "GitLab", "jira": "Jira"}

# Lists of an item's children are read a page of PAGE_SIZE at a time, at most MAX_PAGES pages.
PAGE_SIZE = 100
MAX_PAGES = 20


def _get(item: Item, url: str, token: str, timeout: float) -> Any:
    return _get_with_headers(item, url, token, timeout)[0]


def _get_with_headers(
    item: Item, url: str, token: str, timeout: float
) -> tuple[Any, dict[str, str]]:
    try:
        answer = outbound.request(
            "GET", url, headers=_headers(item.tracker, token), timeout=timeout
        )
    except outbound.OutboundError as exc:
        raise TrackerError(str(exc)) from None
    name = NAMES[item.tracker]
    if answer.status in (401, 403):
        raise TrackerError(
            f"{name} refused the token (HTTP {answer.status}): it may be revoked or expired, or "
            "lack access. Set a new one in the organization's integrations.",
            auth=True,
        )
    if answer.status == 404:
        raise TrackerError(f"{name} has no such item, or the token cannot see it (HTTP 404).")
    if not answer.ok:
        raise TrackerError(f"{name} answered HTTP {answer.status}.")
    try:
        data = json.loads(answer.body)
    except ValueError:
        raise TrackerError(f"{name} answered something that is not JSON.") from None
    return data, {k.lower(): v for k, v in answer.headers.items()}


def _field(data: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            raise TrackerError(f"The answer has no {'.'.join(keys)}.")
        data = data[key]
    return data


def _count(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise TrackerError(f"The answer's {what} is not a count.")
    return value


def fetch(item: Item, base_url: str, token: str, timeout: float) -> Progress:
    base = (base_url or default_base(item)).rstrip("/")
    return {"github": _github, "gitlab": _gitlab, "jira": _jira}[item.tracker](
        item, base, token, timeout
    )


def _github(item: Item, base: str, token: str, timeout: float) -> Progress:
    repo = "/".join(urllib.parse.quote(p, safe="") for p in item.path.split("/"))
    if item.kind == "milestone":
        m = _get(item, f"{base}/repos/{repo}/milestones/{item.ref}", token, timeout)
        closed = _count(_field(m, "closed_issues"), "closed_issues")
        total = closed + _count(_field(m, "open_issues"), "open_issues")
        state = str(_field(m, "state"))
        return Progress(state, state == "closed", closed, total, str(m.get("title") or ""))
    issue = _get(item, f"{base}/repos/{repo}/issues/{item.ref}", token, timeout)
    state = str(_field(issue, "state"))
    summary = issue.get("sub_issues_summary") or {}
    total = _count(summary.get("total", 0), "sub_issues_summary.total")
    done = _count(summary.get("completed", 0), "sub_issues_summary.completed")
    if not total:
        done, total = (1 if state == "closed" else 0), 1
    return Progress(state, state == "closed", done, total, str(issue.get("title") or ""))


def _gitlab(item: Item, base: str, token: str, timeout: float) -> Progress:
    ident = urllib.parse.quote(item.path, safe="")
    if item.kind == "issue":
        issue = _get(item, f"{base}/projects/{ident}/issues/{item.ref}", token, timeout)
        state = str(_field(issue, "state"))
        tasks = issue.get("task_completion_status") or {}
        total = _count(tasks.get("count", 0), "task_completion_status.count")
        done = _count(tasks.get("completed_count", 0), "task_completion_status.completed_count")
        if not total:
            done, total = (1 if state == "closed" else 0), 1
        return Progress(state, state == "closed", done, total, str(issue.get("title") or ""))
    if item.kind == "milestone":
        found = _get(item, f"{base}/projects/{ident}/milestones?iids[]={item.ref}", token, timeout)
        if not isinstance(found, list) or not found or not isinstance(found[0], dict):
            raise TrackerError(f"GitLab has no milestone {item.ref} in {item.path}.")
        milestone = found[0]
        title = str(_field(milestone, "title"))
        stats = _get(
            item,
            f"{base}/projects/{ident}/issues_statistics?milestone="
            + urllib.parse.quote(title, safe=""),
            token,
            timeout,
        )
        counts = _field(stats, "statistics", "counts")
        done = _count(_field(counts, "closed"), "closed")
        total = _count(_field(counts, "all"), "all")
        state = str(_field(milestone, "state"))
        return Progress(state, state == "closed", done, total, title)
    epic = _get(item, f"{base}/groups/{ident}/epics/{item.ref}", token, timeout)
    state = str(_field(epic, "state"))
    issues: list[Any] = []
    page = "1"
    for _ in range(MAX_PAGES):
        found, headers = _get_with_headers(
            item,
            f"{base}/groups/{ident}/epics/{item.ref}/issues?per_page={PAGE_SIZE}"
            f"&page={urllib.parse.quote(page, safe='')}",
            token,
            timeout,
        )
        if not isinstance(found, list):
            raise TrackerError("GitLab's list of the epic's issues is not a list.")
        issues += found
        # GitLab names the next page in X-Next-Page, empty on the last one.
        page = headers.get("x-next-page", "").strip()
        if not found or not page.isdigit():
            break
    done = sum(1 for i in issues if isinstance(i, dict) and i.get("state") == "closed")
    return Progress(state, state == "closed", done, len(issues), str(epic.get("title") or ""))


def _jira_done(issue: Any) -> bool:
    return _field(issue, "fields", "status", "statusCategory", "key") == "done"


def _jira(item: Item, base: str, token: str, timeout: float) -> Progress:
    key = urllib.parse.quote(item.ref, safe="")
    issue = _get(
        item, f"{base}/rest/api/2/issue/{key}?fields=status,summary,subtasks", token, timeout
    )
    status = str(_field(issue, "fields", "status", "name"))
    closed = _jira_done(issue)
    children = list(_field(issue, "fields").get("subtasks") or [])
    jql = urllib.parse.quote(f'parent = "{item.ref}"', safe="")
    seen = {c.get("key") for c in children if isinstance(c, dict)}
    start = 0
    for _ in range(MAX_PAGES):
        found = _get(
            item,
            f"{base}/rest/api/2/search?jql={jql}&fields=status"
            f"&startAt={start}&maxResults={PAGE_SIZE}",
            token,
            timeout,
        )
        page = _field(found, "issues")
        if not isinstance(page, list):
            raise TrackerError("Jira's list of the issue's children is not a list.")
        for child in page:
            if isinstance(child, dict) and child.get("key") not in seen:
                seen.add(child.get("key"))
                children.append(child)
        # Jira pages by startAt; the answer's total says how many there are in all.
        start += len(page)
        total = found.get("total") if isinstance(found, dict) else None
        if not page or not isinstance(total, int) or start >= total:
            break
    if children:
        done, total = sum(1 for c in children if _jira_done(c)), len(children)
    else:
        done, total = (1 if closed else 0), 1
    title = str(_field(issue, "fields").get("summary") or "")
    return Progress(status, closed, done, total, title)
