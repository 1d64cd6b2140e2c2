"""Peer driver (run by bench/.peers/venv's Python): trailscraper's policy generation, one policy per role,
over the records in the JSON file given ({"role arn": [CloudTrail records]}); prints the seconds taken."""

import json
import sys
import time

from trailscraper.cloudtrail import parse_records
from trailscraper.policy_generator import generate_policy


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as handle:
        by_role = json.load(handle)
    started = time.perf_counter()
    sizes = []
    for records in by_role.values():
        sizes.append(len(generate_policy(parse_records(records)).to_json()))
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "principals": len(by_role), "largest": max(sizes)}))


if __name__ == "__main__":
    main()
