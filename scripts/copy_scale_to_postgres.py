#!/usr/bin/env python3
"""Copies the contacts of a location seeded in SQLite (with `ivorey seed`) into a location of a
PostgreSQL database, with COPY: the same million rows on both backends, without an hour of
seeding through PostgreSQL's write path (six statements per contact). The contacts' rows, tag
rows and word rows are copied as they are, with the target location's id; run
`VACUUM ANALYZE` afterwards (scripts/scale.sh does).

    scripts/copy_scale_to_postgres.py SQLITE_DB SQLITE_LOCATION DATABASE_URL PG_LOCATION
"""
import sqlite3
import subprocess
import sys

TABLES = {
    "contacts": ["id", "location_id", "data", "search_text", "email_lower", "date_added",
                 "date_updated", "phone_norm", "first_name_lower", "last_name_lower"],
    "contact_tags": ["location_id", "contact_id", "tag"],
    "contact_terms": ["location_id", "term", "contact_id", "date_added"],
}


def csv_field(value):
    if value is None:
        return ""
    text = str(value)
    return '"' + text.replace('"', '""') + '"'


def copy(db, source, url, target, table, columns):
    select = f"SELECT {', '.join(columns)} FROM {table} WHERE location_id = ?"
    location_at = columns.index("location_id")
    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv)"
    psql = subprocess.Popen(["psql", url, "-q", "-v", "ON_ERROR_STOP=1", "-c", sql],
                            stdin=subprocess.PIPE, text=True)
    rows = 0
    try:
        for row in db.execute(select, (source,)):
            row = list(row)
            row[location_at] = target
            psql.stdin.write(",".join(csv_field(v) for v in row) + "\n")
            rows += 1
        psql.stdin.close()
    except BrokenPipeError:
        pass  # psql stopped early; its exit status says why
    if psql.wait() != 0:
        sys.exit(f"COPY {table} failed")
    print(f"{table}: {rows} rows")


def main():
    db_path, source, url, target = sys.argv[1:5]
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    for table, columns in TABLES.items():
        copy(db, source, url, target, table, columns)


if __name__ == "__main__":
    main()
