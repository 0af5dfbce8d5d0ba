"""Print one closing line for all test runs of `make test`, from their JUnit XML files.

A skipped test is reported as skipped and fails the run: a test that did not run
proves nothing. No test at all also fails the run.
"""

import os
import sys
import xml.etree.ElementTree as ET


def main(paths):
    passed = failed = skipped = 0
    for path in paths:
        if not os.path.exists(path):
            print(f"No test report at {path}: a test run did not complete.")
            return 1
        root = ET.parse(path).getroot()
        for case in root.iter("testcase"):
            kinds = {child.tag for child in case}
            if kinds & {"failure", "error"}:
                failed += 1
            elif "skipped" in kinds:
                skipped += 1
                print(f"SKIPPED (counts as a failure): {case.get('classname')}.{case.get('name')}")
            else:
                passed += 1
    print(f"xero_connector: {passed} passed, {failed} failed, {skipped} skipped")
    return 0 if passed and not failed and not skipped else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
