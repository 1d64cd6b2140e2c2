"""Times Parliament analysing every managed policy in argv[1] (run with the peers' venv)."""

import json
import sys
import time
from pathlib import Path

from parliament import analyze_policy_string

documents = []
for path in sorted(Path(sys.argv[1]).iterdir()):
    text = path.read_text()
    if path.name == "SOURCE.txt" or not text.strip():
        continue
    documents.append(json.dumps(json.loads(text)["PolicyVersion"]["Document"]))
started = time.perf_counter()
findings = crashed = 0
for document in documents:
    try:
        findings += len(analyze_policy_string(document).findings)
    except Exception:  # a peer crash is a result to report, not to hide
        crashed += 1
elapsed = time.perf_counter() - started
print(json.dumps({"seconds": elapsed, "policies": len(documents), "findings": findings, "crashed": crashed}))
