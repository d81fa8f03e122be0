"""PostgreSQL only: a GIN index over the pre-tokenised fields as a 'simple' tsvector (the
tokens are already normalised words and bigrams, so no stemming config applies). SQLite has no
equivalent and does not need one (knowledge/search_db.py)."""

from django.db import migrations

VECTOR = ("setweight(to_tsvector('simple', search_title), 'A') || "
          "setweight(to_tsvector('simple', search_keywords), 'B') || "
          "setweight(to_tsvector('simple', search_body), 'D')")


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS kb_article_search_gin ON knowledge_article "
            f"USING gin (({VECTOR}))")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS kb_article_search_gin")


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
