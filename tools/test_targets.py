#!/usr/bin/env python3
"""Prints the ninja targets the tests of a meson build dir need, leaving out the given suites.

Usage: tools/test_targets.py BUILD_DIR [SUITE_TO_SKIP...]. Lets a sanitizer build compile only
what its tests run (`meson test` alone would build every target first).
"""
import json
import os
import subprocess
import sys


def main() -> None:
    build, skip = sys.argv[1], set(sys.argv[2:])
    def introspect(what):
        out = subprocess.run(["meson", "introspect", build, what], check=True,
                             capture_output=True, text=True).stdout
        return json.loads(out)
    files = {t["id"]: t["filename"] for t in introspect("--targets")}
    wanted = set()
    for test in introspect("--tests"):
        if any(s.split(":")[-1] in skip for s in test["suite"]):
            continue
        wanted.update(test["depends"])
    build_abs = os.path.abspath(build)
    for target_id in sorted(wanted):
        for f in files.get(target_id, []):
            print(os.path.relpath(f, build_abs))


if __name__ == "__main__":
    main()
