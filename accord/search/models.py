from django.contrib.postgres.search import SearchVectorField
from django.db import models


class Document(models.Model):
    """One searchable thing, as the index holds it (see `accord.search.index`).

    The table is created and kept current by the database (an FTS5 table on SQLite, a table
    with a GIN-indexed tsvector on PostgreSQL); Django never writes it."""

    id = models.BigIntegerField(primary_key=True)
    org_id = models.BigIntegerField()
    kind = models.SmallIntegerField()
    object_id = models.BigIntegerField()
    title = models.TextField()
    body = models.TextField()
    # PostgreSQL only: generated from title and body (SQLite's FTS5 table has no such column).
    vector = SearchVectorField(null=True)

    class Meta:
        managed = False
        db_table = "search_document"

    def __str__(self) -> str:
        return self.title
