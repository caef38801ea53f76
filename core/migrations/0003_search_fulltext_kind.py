"""The SQLite full-text table also indexes each entry's kind, so a search within one kind
narrows inside the full-text index (`kind : "directory institution"`) instead of reading every
match of every kind and filtering afterwards. PostgreSQL filters on the btree index of kind."""

from django.db import migrations

SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS core_searchentry_au",
    "DROP TRIGGER IF EXISTS core_searchentry_ad",
    "DROP TRIGGER IF EXISTS core_searchentry_ai",
    "DROP TABLE IF EXISTS core_searchentry_fts",
]


def _create(columns: str) -> list[str]:
    new = ", ".join(f"new.{c.strip()}" for c in columns.split(","))
    old = ", ".join(f"old.{c.strip()}" for c in columns.split(","))
    return [
        f"CREATE VIRTUAL TABLE core_searchentry_fts USING fts5({columns}, "
        "content='core_searchentry', content_rowid='id', tokenize='unicode61')",
        "CREATE TRIGGER core_searchentry_ai AFTER INSERT ON core_searchentry BEGIN "
        f"INSERT INTO core_searchentry_fts(rowid, {columns}) VALUES (new.id, {new}); END",
        "CREATE TRIGGER core_searchentry_ad AFTER DELETE ON core_searchentry BEGIN "
        f"INSERT INTO core_searchentry_fts(core_searchentry_fts, rowid, {columns}) "
        f"VALUES ('delete', old.id, {old}); END",
        "CREATE TRIGGER core_searchentry_au AFTER UPDATE ON core_searchentry BEGIN "
        f"INSERT INTO core_searchentry_fts(core_searchentry_fts, rowid, {columns}) "
        f"VALUES ('delete', old.id, {old}); "
        f"INSERT INTO core_searchentry_fts(rowid, {columns}) VALUES (new.id, {new}); END",
        "INSERT INTO core_searchentry_fts(core_searchentry_fts) VALUES ('rebuild')",
    ]


def _sqlite(columns: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "sqlite":
            return
        for sql in [*SQLITE_DROP, *_create(columns)]:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("core", "0002_search_fulltext")]

    operations = [
        migrations.RunPython(_sqlite("document, kind"), _sqlite("document")),
    ]
