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
findings = 0
for document in documents:
    findings += len(analyze_policy_string(document).findings)
print(
    json.dumps({"seconds": time.perf_counter() - started, "policies": len(documents), "findings": findings})
)
