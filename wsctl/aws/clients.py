"""Builds the one botocore WorkSpaces client a wsctl process uses.

The same client serves AWS and the sandbox: for `--sandbox` the client gets dummy
credentials and the sandbox is attached at the transport (botocore's `before-send`), so
botocore's serializer, retries and parser run exactly as they do against AWS.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from typing import Any, cast

import botocore.session
from botocore.config import Config
from botocore.exceptions import ConnectTimeoutError, EndpointConnectionError

from wsctl import __version__
from wsctl.aws.ratelimit import TokenBucket
from wsctl.options import GlobalOptions

SANDBOX_REGION = "us-east-1"
SANDBOX_ACCESS_KEY = "AKIASANDBOXWSCTL0000"
SANDBOX_SECRET_KEY = "wsctl-sandbox-secret-not-a-real-key"
# An unreachable endpoint should fail in seconds, not after a dozen backed-off attempts;
# throttling and 5xx keep the full --max-attempts.
CONNECT_ATTEMPTS = 3
# A 5xx that is not an AWS answer: three attempts in all, the first and two retries.
NOT_AWS_ATTEMPTS = 3


_USER_INFO = re.compile(r"^(?P<head>[^/?#]*//)(?P<user>[^/?#@]*)@")
# A Region name's shape: us-east-1, eu-central-2, us-gov-west-1, us-iso-east-1, us-isob-east-1,
# cn-northwest-1 (not a list: new Regions keep coming).
_REGION = re.compile(r"[a-z]{2}(?:-[a-z]+)+-\d+\Z", re.ASCII)


def redacted(url: str) -> str:
    """The URL with any user name and password in it replaced, for messages."""
    return _USER_INFO.sub(lambda m: f"{m['head']}***@", url, count=1)


def _check_endpoint(url: str | None) -> None:
    """--endpoint-url is an http(s) URL with a host and a valid port, and no password to leak."""
    from urllib.parse import urlsplit

    from wsctl.errors import UsageError

    if url is None:
        return
    shown = redacted(url)
    hint = "for example http://127.0.0.1:4599 (what `wsctl sandbox serve` prints)"
    try:
        parts = urlsplit(url)
        port, host = parts.port, parts.hostname
    except ValueError as exc:  # "Invalid IPv6 URL", "Port out of range 0-65535"
        detail = str(exc).replace(url, shown) if shown != url else str(exc)
        raise UsageError(f"--endpoint-url: {shown!r} is not a valid URL ({detail})", hint=hint) from None
    if parts.scheme not in ("http", "https") or not host:
        raise UsageError(f"--endpoint-url: {shown!r} is not an http(s) URL", hint=hint)
    if port == 0:
        raise UsageError(f"--endpoint-url: {shown!r} has port 0; give a port from 1 to 65535", hint=hint)
    if parts.username is not None or parts.password is not None:
        raise UsageError(
            f"--endpoint-url: {shown!r} holds a user name or password; requests are signed with AWS "
            "credentials and the URL's are never used (remove the part before '@')",
            hint=hint,
        )


def _check_region(region: str | None) -> None:
    """A Region name by its shape (us-east-1); a typo would otherwise become a DNS error after a wait."""
    from wsctl.errors import UsageError

    if region is not None and not _REGION.match(region):
        shown = region if len(region) <= 40 else region[:37] + "..."
        raise UsageError(
            f"--region: {shown!r} is not an AWS Region name",
            hint="a Region name looks like us-east-1, eu-west-2 or us-gov-west-1 (`aws account list-regions`)",
        )


def aws_session(options: GlobalOptions) -> botocore.session.Session:
    """The botocore session of a run against AWS or an --endpoint-url (its credentials are resolved once)."""
    return _session(profile=options.profile)


def build_client(
    options: GlobalOptions,
    rate_limiter: TokenBucket,
    service: str = "workspaces",
    *,
    session: botocore.session.Session | None = None,
    note: Callable[[str], None] | None = None,
    timestamp_parser: Any = None,
) -> Any:
    """A client for `service` (workspaces, or cloudwatch for `wsctl usage`): one profile, Region and set-up.

    `session` is the run's (shared with the STS lookup); `note` says what was assumed;
    `timestamp_parser` replaces botocore's for this client (CloudWatch: millions of timestamps),
    on a session of its own so that the run's other clients keep botocore's.
    """
    _check_endpoint(options.endpoint_url)
    _check_region(options.region)
    config = Config(
        retries={"mode": options.retry_mode.value, "total_max_attempts": options.max_attempts},
        user_agent_extra=f"wsctl/{__version__}",
        connect_timeout=5,
        read_timeout=60,
        max_pool_connections=16,
    )
    if options.sandbox:
        client = _sandbox_client(options, config, service, timestamp_parser)
    else:
        # botocore's session directly: boto3 adds nothing a client needs, and its import
        # (with the resource layer) costs start-up time on every call.
        session = session or aws_session(options)
        region, placeholders = _local_endpoint_defaults(options, session, note)
        client = session.create_client(
            service, region_name=region, endpoint_url=_endpoint_for(service, options), config=config, **placeholders
        )
        if timestamp_parser is not None and not _parse_timestamps_with(client, timestamp_parser):
            # A botocore without the endpoint's parser factory: a session of its own (credentials resolved again).
            own = _session(profile=options.profile, timestamp_parser=timestamp_parser)
            client = own.create_client(
                service, region_name=region, endpoint_url=_endpoint_for(service, options), config=config, **placeholders
            )
    events = client.meta.events
    events.register_first(f"needs-retry.{service}", _retry_decision(options.max_attempts, service))
    events.register(f"before-send.{service}", lambda **_: rate_limiter.acquire())
    if options.debug:
        from wsctl.aws.debuglog import CallLogger

        CallLogger().register(events, service)
    if options.sandbox:
        from wsctl.sandbox.transport import attach

        attach(client)
    return client


def is_loopback_endpoint(url: str | None) -> bool:
    """An --endpoint-url on this machine (127.0.0.1, ::1, localhost): a `wsctl sandbox serve`, say."""
    # Not wsctl.sandbox.server's is_loopback: importing the server (and the backend) would cost every run ~15 ms.
    import ipaddress
    from urllib.parse import urlsplit

    if not url:
        return False
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return False
    if not host:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _local_endpoint_defaults(
    options: GlobalOptions, session: botocore.session.Session, note: Callable[[str], None] | None
) -> tuple[str | None, dict[str, Any]]:
    """(Region, explicit credentials) for the client: placeholders where a loopback endpoint lacks them.

    A local server (`wsctl sandbox serve`) accepts any signature, so a fresh machine with no
    AWS configuration can use it; a real endpoint keeps botocore's own errors.
    """
    region = options.region
    if not is_loopback_endpoint(options.endpoint_url):
        return region, {}
    missing: list[str] = []
    used: list[str] = []
    placeholders: dict[str, Any] = {}
    if session.get_credentials() is None:
        placeholders = {"aws_access_key_id": SANDBOX_ACCESS_KEY, "aws_secret_access_key": SANDBOX_SECRET_KEY}
        missing.append("credentials")
        used.append("placeholder keys")
    if region is None and not session.get_config_variable("region"):
        region = SANDBOX_REGION
        missing.append("Region")
        used.append(f"Region {SANDBOX_REGION}")
    if missing and note is not None:
        note(
            f"No AWS {' or '.join(missing)} configured: using {' and '.join(used)} for the local endpoint "
            f"{redacted(str(options.endpoint_url))}, which accepts any."
        )
    return region, placeholders


def _parse_timestamps_with(client: Any, timestamp_parser: Any) -> bool:
    """Give this one client its own timestamp parser; False when this botocore has no place for it.

    The session's parser defaults would reach every client the run makes later (the
    WorkSpaces client's timestamps would stop being datetimes); the endpoint's factory is
    this client's alone. `_endpoint._response_parser_factory` is botocore's, read at each response.
    """
    from botocore.parsers import ResponseParserFactory

    endpoint = getattr(client, "_endpoint", None)
    if endpoint is None or not hasattr(endpoint, "_response_parser_factory"):
        return False
    factory = ResponseParserFactory()
    factory.set_parser_defaults(timestamp_parser=timestamp_parser)
    endpoint._response_parser_factory = factory
    return True


def _endpoint_for(service: str, options: GlobalOptions) -> str | None:
    """--endpoint-url applies to every service, unless the service has its own variable (as in botocore).

    botocore lets an explicit endpoint_url beat AWS_ENDPOINT_URL_<SERVICE>; for the second
    client wsctl leaves it to botocore when that variable is set, so the variable wins.
    """
    if service != "workspaces" and os.environ.get(f"AWS_ENDPOINT_URL_{service.upper()}"):
        return None
    if service != "workspaces" and options.endpoint_url_from_env:
        return None  # AWS_ENDPOINT_URL_WORKSPACES names the WorkSpaces endpoint, not CloudWatch's
    return options.endpoint_url


def _session(
    profile: str | None = None, session_vars: dict[str, Any] | None = None, timestamp_parser: Any = None
) -> botocore.session.Session:
    from wsctl.aws.loader import botocore_loader

    session = botocore.session.Session(session_vars=session_vars, profile=profile)
    if timestamp_parser is not None:
        session.get_component("response_parser_factory").set_parser_defaults(timestamp_parser=timestamp_parser)
    # Registered lazily, as botocore registers its own: the data path is read at first use.
    session.lazy_register_component("data_loader", lambda: botocore_loader(session.get_config_variable("data_path")))
    return session


def _sandbox_client(
    options: GlobalOptions, config: Config, service: str = "workspaces", timestamp_parser: Any = None
) -> Any:
    # The sandbox never reads the user's profiles or credentials: a session that sees no
    # config files and gets explicit dummy keys cannot pick them up, nor show them.
    # (Setting the variable to None is not enough: botocore would fall back to AWS_PROFILE.)
    session = _session(session_vars={"profile": (None, None, None, None)}, timestamp_parser=timestamp_parser)
    session.set_config_variable("config_file", os.devnull)
    session.set_config_variable("credentials_file", os.devnull)
    config = config.merge(Config(ignore_configured_endpoint_urls=True))  # type: ignore[call-arg]
    return session.create_client(
        service,
        region_name=options.region or SANDBOX_REGION,
        aws_access_key_id=SANDBOX_ACCESS_KEY,
        aws_secret_access_key=SANDBOX_SECRET_KEY,
        aws_session_token=None,
        config=config,
    )


class _EndlessQuota:
    """A retry quota that never runs out (see `_retry_decision`)."""

    def acquire_retry_quota(self, context: Any) -> bool:
        return True


def _retry_decision(max_attempts: int, service: str = "workspaces") -> Any:
    """The `needs-retry` handler that decides every retry (the first handler's answer wins).

    botocore's standard policy, conditions and backoff alike (throttling, 5xx and dropped
    connections, up to `max_attempts`), with two changes:

    - No retry quota. The quota is a circuit breaker for clients that do not pace themselves;
      every attempt wsctl makes, retries included, waits for its token bucket. With the quota,
      sustained throttling empties it after a few dozen calls and every later call fails at
      its first throttled attempt, whatever --max-attempts says.
    - An unreachable endpoint fails in seconds, not after a dozen backed-off attempts.
    """
    from botocore.retries import standard

    adapter = standard.RetryEventAdapter()
    detector = standard.ThrottlingErrorDetector(adapter)
    handler = standard.RetryHandler(
        retry_policy=standard.RetryPolicy(
            retry_checker=standard.StandardRetryConditions(max_attempts=max_attempts),
            retry_backoff=standard.ExponentialBackoff(service_name=service, throttling_detector=detector),
        ),
        retry_event_adapter=adapter,
        retry_quota=cast(Any, _EndlessQuota()),  # duck-typed: only acquire_retry_quota is called
        service_name=service,
    )

    def decide(caught_exception: BaseException | None = None, attempts: int = 0, **kwargs: Any) -> Any:
        if _stop_retrying_unreachable(caught_exception, attempts) is False:
            return False
        if attempts >= NOT_AWS_ATTEMPTS and _not_an_aws_answer(kwargs.get("response")):
            return False
        delay = handler.needs_retry(caught_exception=caught_exception, attempts=attempts, **kwargs)
        return False if delay is None else delay  # False: no later handler (botocore's own) retries

    return decide


def _not_an_aws_answer(response: Any) -> bool:
    """A 5xx that is no AWS error (an HTML page, 501 Not Implemented): an endpoint without the operation.

    It will not answer differently a twelfth time; AWS's own 5xx carry an error code.
    """
    if not response:
        return False
    http, parsed = response
    status = getattr(http, "status_code", 0)
    if status == 501:
        return True
    code = str((parsed or {}).get("Error", {}).get("Code", ""))
    return status >= 500 and (code == "" or code.isdigit())


def _stop_retrying_unreachable(caught_exception: BaseException | None = None, attempts: int = 0, **_: Any) -> Any:
    if isinstance(caught_exception, EndpointConnectionError | ConnectTimeoutError) and attempts >= CONNECT_ATTEMPTS:
        return False  # a non-None answer from the first handler wins: no further retry
    return None
