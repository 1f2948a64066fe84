"""ImportWorkspaceImage and the image reads that follow it."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from wsctl.aws.service import WorkspacesService
from wsctl.errors import ServiceError
from wsctl.spec.rules import CORE_NOTE


def import_image(service: WorkspacesService, params: dict[str, Any]) -> str:
    """Start the import; service refusals become one sentence each (exit 1)."""
    try:
        response = service.client.import_workspace_image(**params)
    except ClientError as exc:
        raise _explain(service, exc, params) from None
    return str(response["ImageId"])


def find_image_by_name(service: WorkspacesService, name: str) -> dict[str, Any] | None:
    return next((image for image in service.owned_images() if image.get("Name") == name), None)


def _explain(service: WorkspacesService, exc: ClientError, params: dict[str, Any]) -> Exception:
    error = exc.response.get("Error", {})
    code, message = str(error.get("Code", "")), str(error.get("Message", ""))
    ami, name, process = params.get("Ec2ImageId"), params.get("ImageName"), str(params.get("IngestionProcess", ""))
    op = "ImportWorkspaceImage"
    if code == "ResourceNotFoundException":
        text = (
            f"The EC2 image {ami} was not found: it must be an AMI your account owns, in this Region "
            "(check --ec2-image-id and --region)."
        )
    elif code == "ResourceAlreadyExistsException":
        existing = _safe_find(service, str(name))
        which = f" ({existing['ImageId']}, {existing.get('State', '?')})" if existing else ""
        text = f"An image named '{name}' already exists{which}: choose another --name."
    elif code == "ResourceLimitExceededException":
        text = "The account has reached its WorkSpaces image quota: delete unused images or ask AWS for a higher limit."
    elif code == "OperationNotSupportedException" and process.endswith("_BYOP"):
        text = (
            f"AWS refused {process}: bring-your-own-protocol ingestion {CORE_NOTE}. Ask your AWS account team "
            "to allow-list the account, or use a process without _BYOP."
        )
    elif code == "OperationNotSupportedException":
        text = f"AWS does not support this import here: {message}"
    else:
        return exc
    return ServiceError(
        text + (f" (AWS: {code}: {message})" if message else f" (AWS: {code})"), code=code, operation=op
    )


def _safe_find(service: WorkspacesService, name: str) -> dict[str, Any] | None:
    try:
        return find_image_by_name(service, name)
    except ClientError:
        return None
