"""The sandbox: a local WorkSpaces-compatible backend behind the boto3 client."""
