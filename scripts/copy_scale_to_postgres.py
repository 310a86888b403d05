#!/usr/bin/env python3
"""Copies the contacts of a location seeded in SQLite (with `ivorey seed`) into a location of a
PostgreSQL database, with COPY: the same million rows on both backends, without an hour of
seeding through PostgreSQL's write path (six statements per contact). The contacts' rows, tag
rows and word rows are copied as they are, with the target location's id, and the posting
index's rows are built from the word rows as migration 13 builds them; run `VACUUM ANALYZE`
afterwards (scripts/scale.sh does).

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
    postings = """
        INSERT INTO contact_postings (location_id, contact_id, date_added, terms)
        SELECT c.location_id, c.id, c.date_added, COALESCE(w.terms, '{}')
        FROM contacts c LEFT JOIN (
            SELECT contact_id, array_agg(term) terms
            FROM contact_terms WHERE location_id = :'loc' GROUP BY contact_id) w
          ON w.contact_id = c.id
        WHERE c.location_id = :'loc'
        ON CONFLICT DO NOTHING"""
    subprocess.run(["psql", url, "-q", "-v", "ON_ERROR_STOP=1", "-v", f"loc={target}"],
                   input=postings, text=True, check=True)
    print("contact_postings: built from the word rows")


if __name__ == "__main__":
    main()
