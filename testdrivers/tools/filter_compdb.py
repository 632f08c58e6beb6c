#!/usr/bin/env python3
"""filter_compdb.py - write a compile_commands.json holding only the given translation units.

Usage: filter_compdb.py ALL.json OUT.json SOURCE...
The top-level build exports every target's commands (CMAKE_EXPORT_COMPILE_COMMANDS); `kcut analyze` on a
driver wants exactly the driver's files. Fails (exit 1) if a source has no entry.
"""
import json
import os
import sys


def main():
    if len(sys.argv) < 4:
        sys.stderr.write(__doc__)
        return 2
    src_all, out, wanted = sys.argv[1], sys.argv[2], [os.path.realpath(s) for s in sys.argv[3:]]
    with open(src_all, encoding="utf-8") as f:
        entries = json.load(f)
    keep = []
    for want in wanted:
        match = [e for e in entries
                 if os.path.realpath(os.path.join(e.get("directory", ""), e["file"])) == want]
        # the driver's plain build, not its -finstrument-functions profiling variant
        plain = [e for e in match
                 if "-finstrument-functions" not in e.get("command", " ".join(e.get("arguments", [])))]
        match = plain or match
        if not match:
            sys.stderr.write("filter_compdb: no compile command for %s\n" % want)
            return 1
        keep.append(match[0])
    tmp = out + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(keep, f, indent=2)
        f.write("\n")
    os.replace(tmp, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
