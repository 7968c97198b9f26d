"""Line and branch coverage per source folder from gcovr's JSON summary, checked against floors.

Usage: coverage-table.py SUMMARY.json FLOORS.txt [--raise]
FLOORS.txt holds one folder a line: `folder line% branch%`; `#` starts a comment. A folder
below either floor fails the run. With --raise, a floor the run beat by more than MARGIN is
raised to the figure less MARGIN, so that coverage cannot quietly slide back.
"""
import json
import math
import sys

# Figures move a little from run to run (kill -9 rounds cut processes off before they write
# their counters, timing decides some paths); a floor sits this far below a measured figure.
MARGIN = 2.0

FOLDERS = ["server/http", "server/store", "server/render", "server/domain", "server/app",
           "search", "moderation"]


def folder_of(path):
    for folder in FOLDERS:
        if path.startswith(folder + "/"):
            return folder
    return "server (main, tools)" if path.startswith("server/") else None


def pct(covered, total):
    return 100.0 * covered / total if total else 100.0


def main():
    summary_path, floors_path = sys.argv[1], sys.argv[2]
    raise_floors = "--raise" in sys.argv[3:]
    with open(summary_path) as f:
        summary = json.load(f)
    totals = {}
    for entry in summary["files"]:
        folder = folder_of(entry["filename"])
        if folder is None:
            continue
        t = totals.setdefault(folder, [0, 0, 0, 0])
        t[0] += entry["line_covered"]
        t[1] += entry["line_total"]
        t[2] += entry["branch_covered"]
        t[3] += entry["branch_total"]
    all_ = [sum(t[i] for t in totals.values()) for i in range(4)]
    totals["all"] = all_

    floors, lines = {}, []
    with open(floors_path) as f:
        for raw in f:
            lines.append(raw)
            text = raw.split("#", 1)[0].split()
            if text:
                floors[text[0]] = (float(text[1]), float(text[2]))

    failed = []
    print(f"{'folder':<22} {'lines':>18} {'line %':>7} {'floor':>6}  {'branches':>15} {'branch %':>8} {'floor':>6}")
    for folder in FOLDERS + ["server (main, tools)", "all"]:
        if folder not in totals:
            continue
        lc, lt, bc, bt = totals[folder]
        lp, bp = pct(lc, lt), pct(bc, bt)
        lf, bf = floors.get(folder, (None, None))
        mark = ""
        if lf is not None and (lp < lf or bp < bf):
            failed.append(folder)
            mark = "  BELOW FLOOR"
        fl = f"{lf:6.1f}" if lf is not None else "     -"
        fb = f"{bf:6.1f}" if bf is not None else "     -"
        print(f"{folder:<22} {f'{lc}/{lt}':>18} {lp:7.1f} {fl}  {f'{bc}/{bt}':>15} {bp:8.1f} {fb}{mark}")

    if raise_floors:
        def raised(old, measured):
            new = math.floor((measured - MARGIN) * 10) / 10
            return max(old, new)
        out = []
        for raw in lines:
            text = raw.split("#", 1)[0].split()
            if text and text[0] in totals:
                lc, lt, bc, bt = totals[text[0]]
                lf, bf = floors[text[0]]
                raw = f"{text[0]} {raised(lf, pct(lc, lt)):.1f} {raised(bf, pct(bc, bt)):.1f}\n"
            out.append(raw)
        with open(floors_path, "w") as f:
            f.writelines(out)
        print(f"coverage: floors raised where beaten by more than {MARGIN} points; commit {floors_path}")

    if failed:
        print(f"coverage: below the floor in {', '.join(failed)} (floors: {floors_path})", file=sys.stderr)
        return 1
    print(f"coverage: every folder at or above its floor ({floors_path})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
