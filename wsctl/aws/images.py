"""ImportWorkspaceImage and the image reads that follow it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from wsctl.aws.calls import MAX_IDS_PER_CALL, ServiceBase, chunked
from wsctl.errors import ServiceError
from wsctl.spec.rules import CORE_NOTE


class ImageCalls(ServiceBase):
    def import_image(self, params: dict[str, Any]) -> str:
        """Start the import; the service's refusals become one sentence each (exit 1)."""
        try:
            response = self._call("import_workspace_image", **params)
        except ServiceError as exc:
            raise self._explain_import_error(exc, params) from None
        return str(response["ImageId"])

    def owned_images(self) -> list[dict[str, Any]]:
        """The account's own WorkSpaces images, every page."""
        return list(self._pages("describe_workspace_images", "Images", ImageType="OWNED"))

    def describe_images(self, image_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        for chunk in chunked(list(dict.fromkeys(image_ids)), MAX_IDS_PER_CALL):
            response = self._call("describe_workspace_images", ImageIds=list(chunk))
            for image in response.get("Images", []):
                found[image["ImageId"]] = image
        return found

    def find_image_by_name(self, name: str) -> dict[str, Any] | None:
        return next((image for image in self.owned_images() if image.get("Name") == name), None)

    def _explain_import_error(self, exc: ServiceError, params: dict[str, Any]) -> ServiceError:
        code, message = exc.code, exc.aws_message
        ami, name, process = params.get("Ec2ImageId"), params.get("ImageName"), str(params.get("IngestionProcess", ""))
        if code == "ResourceNotFoundException":
            text = (
                f"The EC2 image {ami} was not found: it must be an AMI your account owns, in this Region "
                "(check --ec2-image-id and --region)."
            )
        elif code == "ResourceAlreadyExistsException":
            existing = self._find_quietly(str(name))
            which = f" ({existing['ImageId']}, {existing.get('State', '?')})" if existing else ""
            text = f"An image named '{name}' already exists{which}: choose another --name."
        elif code == "ResourceLimitExceededException":
            text = "The account has reached its WorkSpaces image quota: "
            text += "delete unused images or ask AWS for a higher limit."
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
            text + (f" (AWS: {code}: {message})" if message else f" (AWS: {code})"),
            code=code,
            operation=exc.operation,
            aws_message=message,
        )

    def _find_quietly(self, name: str) -> dict[str, Any] | None:
        try:
            return self.find_image_by_name(name)
        except ServiceError:
            return None
