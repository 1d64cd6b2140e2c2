"""The packaged action parameters (from AWS's API models): which actions take a role and which take code."""

from __future__ import annotations

from sojourn.catalog import load_catalog
from sojourn.catalog.parameters import load_action_parameters


def test_parameters_name_roles_and_code_of_catalogue_actions() -> None:
    parameters = load_action_parameters()
    create = parameters.get("LAMBDA:createfunction")
    assert create is not None and create.roles == ("Role",)
    assert {"Code", "Handler", "Environment"} <= set(create.code)
    run = parameters.get("ec2:RunInstances")
    assert run is not None and "IamInstanceProfile" in run.roles and "UserData" in run.code
    assert parameters.get("s3:GetObject") is None
    assert "botocore" in parameters.source
    names = parameters.names()
    assert list(names) == sorted(names)
    catalog = load_catalog()
    assert all(catalog.knows_action(name) for name in names)
