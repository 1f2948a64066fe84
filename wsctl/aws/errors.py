"""botocore's errors -> wsctl's errors, each with one actionable sentence."""

from __future__ import annotations

from wsctl.errors import ServiceError, UsageError, WsctlError

_CREDENTIAL_HINT = "pass --profile, set AWS credentials (aws configure), or try --sandbox"

_CLIENT_ERROR_SENTENCES: dict[str, str] = {
    "AccessDeniedException": "Access denied: the credentials in use lack permission for {op} "
    "(check the IAM policy, or use --profile for another identity).",
    "AccessDenied": "Access denied: the credentials in use lack permission for {op} "
    "(check the IAM policy, or use --profile for another identity).",
    "UnrecognizedClientException": "AWS did not recognise the credentials: " + _CREDENTIAL_HINT + ".",
    "InvalidClientTokenId": "AWS did not recognise the credentials: " + _CREDENTIAL_HINT + ".",
    "InvalidSignatureException": "AWS rejected the request signature: check the secret key "
    "of the credentials in use, or " + _CREDENTIAL_HINT + ".",
    "SignatureDoesNotMatch": "AWS rejected the request signature: check the secret key of the "
    "credentials in use, or " + _CREDENTIAL_HINT + ".",
    "ExpiredTokenException": "The session credentials have expired: refresh them "
    "(for example `aws sso login`) and run the command again.",
    "ExpiredToken": "The session credentials have expired: refresh them "
    "(for example `aws sso login`) and run the command again.",
    "ThrottlingException": "AWS kept throttling {op} after every retry: lower --max-rate, raise "
    "--max-attempts, or try again later.",
}


def translate_aws_error(exc: BaseException) -> WsctlError | None:
    """Map a botocore exception to a WsctlError with one actionable sentence, or None."""
    module = type(exc).__module__
    if not (module.startswith("botocore") or module.startswith("boto3")):
        return None
    from botocore import exceptions as bx

    if isinstance(exc, bx.NoCredentialsError | bx.PartialCredentialsError):
        return WsctlError(f"No AWS credentials were found: {_CREDENTIAL_HINT}.")
    if isinstance(exc, bx.ProfileNotFound):
        profile = exc.kwargs.get("profile", "")
        return WsctlError(
            f"The AWS profile '{profile}' does not exist: check --profile / AWS_PROFILE "
            f"(profiles live in ~/.aws/config), or try --sandbox."
        )
    if isinstance(exc, bx.NoRegionError):
        return WsctlError(
            "No AWS Region is set: pass --region, set AWS_REGION, or add `region` to your profile (or try --sandbox)."
        )
    if isinstance(exc, bx.EndpointConnectionError | bx.ConnectTimeoutError | bx.ConnectionClosedError):
        url = exc.kwargs.get("endpoint_url", "the WorkSpaces endpoint")
        return WsctlError(f"Could not reach {url}: check --endpoint-url and --region, and your network or proxy.")
    if isinstance(exc, bx.ReadTimeoutError):
        return WsctlError("The WorkSpaces endpoint did not answer in time: try again, or check your network.")
    if isinstance(exc, bx.ParamValidationError):
        return UsageError(f"Invalid request: {exc.kwargs.get('report', exc)}")
    if isinstance(exc, bx.ClientError):
        error = exc.response.get("Error", {})
        code = str(error.get("Code", "Unknown"))
        message = str(error.get("Message", "")).strip()
        op = exc.operation_name
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        if isinstance(status, int) and status >= 500 and (code.isdigit() or code == "Unknown"):
            # An HTML page or a bare status where AWS would answer with an error code.
            return ServiceError(
                f"The endpoint does not support {op}: it answered HTTP {status} without an AWS error "
                "(check --endpoint-url; a local emulator may not implement this operation).",
                code=str(status),
                operation=op,
            )
        template = _CLIENT_ERROR_SENTENCES.get(code)
        if template:
            return ServiceError(template.format(op=op), code=code, operation=op, aws_message=message)
        text = f"{op} failed: {code}" + (f": {message}" if message else "")
        return ServiceError(text, code=code, operation=op, aws_message=message)
    if isinstance(exc, bx.BotoCoreError):
        return WsctlError(str(exc))
    return None
