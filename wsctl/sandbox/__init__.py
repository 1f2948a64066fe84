"""The sandbox: a local WorkSpaces-compatible backend behind the botocore client."""
