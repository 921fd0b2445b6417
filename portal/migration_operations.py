"""Migration operations the apps share."""

from django.db import migrations


class AddIndexOnPostgreSQL(migrations.AddIndex):
    """AddIndex on PostgreSQL only: GIN and full-text search indexes have no SQLite form, and
    SQLite is only the zero-setup database of `make run`. The index is in the models'
    state everywhere, so makemigrations sees nothing missing."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)
