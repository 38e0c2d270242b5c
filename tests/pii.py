"""Search every text column of every table for a value: proof that personal data is not stored."""

from django.db import connection


def tables_holding(value: str) -> list[str]:
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            description = connection.introspection.get_table_description(cursor, table)
            for column in description:
                quoted_table = connection.ops.quote_name(table)
                quoted_column = connection.ops.quote_name(column.name)
                cursor.execute(
                    f"SELECT 1 FROM {quoted_table} "  # noqa: S608 (names from introspection)
                    f"WHERE CAST({quoted_column} AS TEXT) LIKE %s LIMIT 1",
                    [f"%{value}%"],
                )
                if cursor.fetchone():
                    found.append(f"{table}.{column.name}")
    return found
