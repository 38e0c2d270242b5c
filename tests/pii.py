"""Search every column of every table for values: proof that personal data is not stored."""

from django.db import connection


def tables_holding(*values: str) -> list[str]:
    """The ``table.column``s whose text, in any case, contains any of ``values``."""
    quote = connection.ops.quote_name
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            for column in connection.introspection.get_table_description(cursor, table):
                text = f"UPPER(CAST({quote(column.name)} AS TEXT))"
                cursor.execute(
                    f"SELECT COUNT(*) FROM {quote(table)} WHERE "  # noqa: S608 (introspected names)
                    + " OR ".join([f"{text} LIKE %s"] * len(values)),
                    [f"%{value.upper()}%" for value in values],
                )
                if cursor.fetchone()[0]:
                    found.append(f"{table}.{column.name}")
    return found
