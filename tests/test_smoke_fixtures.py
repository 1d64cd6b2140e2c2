import boto3


def test_moto_server_answers_organizations(moto_endpoint: str) -> None:
    client = boto3.client("organizations", endpoint_url=moto_endpoint, region_name="us-east-1")
    org = client.create_organization(FeatureSet="ALL")["Organization"]
    assert org["Id"].startswith("o-")
    assert client.describe_organization()["Organization"]["Id"] == org["Id"]
