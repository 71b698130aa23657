"""Find anything through the API: the same ranked, tenant-scoped search as the top bar."""

from typing import Literal

from ninja import Field, Query, Router, Schema

from accord.api.common import actor_of, org_of
from accord.core.errors import ServiceError
from accord.search import queries

router = Router(tags=["Search"])

Kind = Literal[
    "team",
    "person",
    "objective",
    "key_result",
    "initiative",
    "dependency",
    "decision",
    "issue",
    "action_item",
    "meeting",
    "cadence",
    "milestone",
    "period",
]


class HitOut(Schema):
    kind: Kind
    title: str
    detail: str
    url: str = Field(description="The thing's page in the web app.")


@router.get(
    "/search",
    response=list[HitOut],
    summary="Find anything",
    description=(
        "The best matches of `q` in the organization, best first: every word must match a "
        "word or the start of one. Text that is not a word (quotes, `*`, `-`) separates "
        f"words. At most {queries.MAX_QUERY_LENGTH} characters."
    ),
)
def search(
    request,
    q: str,
    kind: Kind | None = None,
    # Not a page of a list (no limit/offset/count): the best few, as counting every match
    # would cost more than finding the best.
    top: int = Query(
        queries.QUICK_LIMIT, ge=1, le=queries.PAGE_LIMIT, description="How many of the best."
    ),
):
    try:
        hits = queries.search(org_of(request), actor_of(request), q, kind=kind, limit=top)
    except queries.QueryTooLong as exc:
        raise ServiceError(str(exc), fields={"q": [str(exc)]}) from None
    return [HitOut(kind=h.kind, title=h.title, detail=h.detail, url=h.url) for h in hits]
