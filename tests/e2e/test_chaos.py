"""Issue 13's chaos drill, bounded for the suite: two `sojourn worker` processes under random SIGKILLs, AWS
throttling and dropped or refused connections (SOJOURN_AWS_FAULTS), the database locked now and then,
while overlapping grants open, end and are revoked. Then, read from AWS through boto3 and from the audit
log: no assignment outlived its grant's end by more than the tick plus a worker's restart (and one
retry), none is left, none was there without a grant, every AWS change has its record, the chain
verifies. bench/chaos.py runs the same drill for 200 kills and more (on SQLite by default; its quick
run is part of tests/bench/test_bench_rows.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from bench.chaos import Drill
from bench.moto_recorder import OutageMoto


def test_grants_end_on_time_and_leave_nothing_under_kills_faults_and_locks(
    moto_endpoint: str, database_url: str, tmp_path: Path
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("run on PostgreSQL, whose writers really run at once; SQLite: bench/chaos.py --quick")
    aws = OutageMoto().start()  # moto_endpoint reset the moto state this second server shares
    try:
        drill = Drill(aws, database_url, tmp_path, longest=4.0, workers=3)
        try:
            figures = drill.run(20, kills=3, lock_every=4.0, hold=1.0)
        finally:
            drill.close()
    finally:
        aws.stop()
    assert figures.kills >= 3 and figures.faults > 0 and figures.locks >= 2
    assert figures.grants > 20 and figures.changes > 0
    assert figures.leftovers == 0
    assert figures.unjustified == 0
    assert figures.unrecorded == 0
    assert figures.verified, figures.notes
    assert figures.worst_lateness <= figures.bound, (figures.worst_lateness, figures.bound)
