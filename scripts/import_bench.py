#!/usr/bin/env python3
"""Times a contacts CSV import or export through the web app, as a browser would drive it, and
samples the server's resident memory (VmRSS, and the peak VmHWM) from /proc while it runs.

  scripts/import_bench.py make FILE ROWS            # a CSV of ROWS distinct people
  scripts/import_bench.py import URL EMAIL PASSWORD FILE SERVER_PID
  scripts/import_bench.py export URL EMAIL PASSWORD SERVER_PID [QUERY]

The account is an admin made with `ivorey admin create-location ... --password-stdin`.
"""

import re
import sys
import time

import requests


def make(path, rows):
    with open(path, "w", encoding="utf-8") as out:
        out.write("First name,Last name,Email,Phone,Company,City,Tags\n")
        for n in range(1, rows + 1):
            out.write(
                f"First{n},Last{n % 977},person{n}@bench.example,+1 555 {n:07d},"
                f"Company {n % 113},City {n % 59},\"lead, batch{n % 7}\"\n"
            )


def memory(pid):
    status = open(f"/proc/{pid}/status").read()
    rss = int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) // 1024
    hwm = int(re.search(r"VmHWM:\s+(\d+)", status).group(1)) // 1024
    return rss, hwm


def csrf(html):
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def sign_in(base, email, password):
    s = requests.Session()
    page = s.get(f"{base}/login").text
    r = s.post(
        f"{base}/login",
        data={"csrf": csrf(page), "email": email, "password": password, "next": ""},
    )
    location = re.search(r"/l/([A-Za-z0-9]+)/", r.url).group(1)
    return s, location


def do_import(base, email, password, path, pid):
    s, location = sign_in(base, email, password)
    form = s.get(f"{base}/l/{location}/contacts/import").text
    print("before upload: rss %d MiB, peak %d MiB" % memory(pid))
    started = time.monotonic()
    with open(path, "rb") as f:
        r = s.post(
            f"{base}/l/{location}/contacts/import",
            data={"csrf": csrf(form)},
            files={"file": ("bench.csv", f, "text/csv")},
            allow_redirects=False,
        )
    assert r.status_code == 303, (r.status_code, r.text[:500])
    job = base + r.headers["location"]
    print("upload stored in %.1f s; rss %d MiB, peak %d MiB"
          % ((time.monotonic() - started,) + memory(pid)))
    page = s.get(job).text
    mapping = {"csrf": csrf(page), "action": "start"}
    for i, options in re.findall(r'name="col\.(\d+)">(.*?)</select>', page):
        chosen = re.search(r'<option value="([^"]*)" selected>', options)
        mapping[f"col.{i}"] = chosen.group(1) if chosen else ""
    began = time.monotonic()
    r = s.post(job, data=mapping, allow_redirects=False)
    assert r.status_code == 303, (r.status_code, r.text[:500])
    peak_rss = 0
    while True:
        page = s.get(job).text
        rss, hwm = memory(pid)
        peak_rss = max(peak_rss, rss)
        if "Import finished" in page:
            break
        time.sleep(0.25)
    took = time.monotonic() - began
    counts = re.findall(r'id="count-(\w+)">([\d,]+)<', page)
    print("rows applied in %.1f s (upload to finished %.1f s): %s; rss peak sampled %d MiB,"
          " VmHWM %d MiB" % (took, time.monotonic() - started, dict(counts), peak_rss, hwm))


def do_export(base, email, password, pid, query=""):
    s, location = sign_in(base, email, password)
    print("before export: rss %d MiB, peak %d MiB" % memory(pid))
    started = time.monotonic()
    size, lines, last = 0, 0, 0.0
    with s.get(f"{base}/l/{location}/contacts/export.csv?{query}", stream=True) as r:
        assert r.status_code == 200, r.status_code
        for chunk in r.iter_content(chunk_size=1 << 16):
            size += len(chunk)
            lines += chunk.count(b"\n")
            now = time.monotonic()
            if now - last >= 5:
                last = now
                print("  %6.1f s: %9d lines, rss %d MiB, peak %d MiB"
                      % ((now - started, lines) + memory(pid)))
    print("export: %d lines, %.1f MB in %.1f s; rss %d MiB, peak %d MiB"
          % ((lines, size / 1e6, time.monotonic() - started) + memory(pid)))


if __name__ == "__main__":
    what = sys.argv[1]
    if what == "make":
        make(sys.argv[2], int(sys.argv[3]))
    elif what == "import":
        do_import(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], int(sys.argv[6]))
    elif what == "export":
        do_export(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), *sys.argv[6:])
