"""Full-text index over core_searchentry.document, one per database engine."""

from django.db import migrations

SQLITE_UP = [
    "CREATE VIRTUAL TABLE core_searchentry_fts USING fts5("
    "document, content='core_searchentry', content_rowid='id', tokenize='unicode61')",
    "CREATE TRIGGER core_searchentry_ai AFTER INSERT ON core_searchentry BEGIN "
    "INSERT INTO core_searchentry_fts(rowid, document) VALUES (new.id, new.document); END",
    "CREATE TRIGGER core_searchentry_ad AFTER DELETE ON core_searchentry BEGIN "
    "INSERT INTO core_searchentry_fts(core_searchentry_fts, rowid, document) "
    "VALUES ('delete', old.id, old.document); END",
    "CREATE TRIGGER core_searchentry_au AFTER UPDATE ON core_searchentry BEGIN "
    "INSERT INTO core_searchentry_fts(core_searchentry_fts, rowid, document) "
    "VALUES ('delete', old.id, old.document); "
    "INSERT INTO core_searchentry_fts(rowid, document) VALUES (new.id, new.document); END",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS core_searchentry_au",
    "DROP TRIGGER IF EXISTS core_searchentry_ad",
    "DROP TRIGGER IF EXISTS core_searchentry_ai",
    "DROP TABLE IF EXISTS core_searchentry_fts",
]
PG_UP = [
    "CREATE INDEX core_searchentry_document_fts ON core_searchentry "
    "USING gin (to_tsvector('simple', document))"
]
PG_DOWN = ["DROP INDEX IF EXISTS core_searchentry_document_fts"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": PG_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": PG_DOWN}),
        )
    ]
