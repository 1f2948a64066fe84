"""`wsctl sandbox reset|info|serve`: the built-in local WorkSpaces backend."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TextIO

import typer

from wsctl.cli.options import DebugOpt, OutputOpt, app_context
from wsctl.errors import UsageError, WsctlError
from wsctl.options import OutputFormat

# Far above any real directory, and low enough that a typo (--users 10000000000) is an error, not hours of seeding.
MAX_SEED_USERS = 1_000_000

if TYPE_CHECKING:
    from wsctl.sandbox.server import SandboxHTTPServer

sandbox_app = typer.Typer(
    help="The built-in sandbox: a local WorkSpaces-compatible backend (no AWS account needed).",
    no_args_is_help=True,
)


@sandbox_app.command("reset")
def reset(
    ctx: typer.Context,
    users: Annotated[
        int, typer.Option("--users", min=0, max=MAX_SEED_USERS, help="Users in the first directory.")
    ] = 50,
    time_scale: Annotated[
        float,
        typer.Option("--time-scale", min=0.0, help="Multiply every lifecycle duration (0.1 is ten times faster)."),
    ] = 1.0,
    rate_limit: Annotated[
        float | None,
        typer.Option(
            "--rate-limit",
            min=0.001,
            help="Answer ThrottlingException above this many requests per second (AWS: 2). [default: off]",
            show_default=False,
        ),
    ] = None,
    burst: Annotated[
        int | None,
        typer.Option(
            "--burst", min=1, help="Requests allowed at once before --rate-limit applies (AWS: 5).", show_default=False
        ),
    ] = None,
    throttle_rate: Annotated[
        float, typer.Option("--throttle-rate", min=0.0, max=1.0, help="Share of requests answered ThrottlingException.")
    ] = 0.0,
    server_error_rate: Annotated[
        float,
        typer.Option(
            "--server-error-rate", min=0.0, max=1.0, help="Share of requests answered HTTP 500 before doing anything."
        ),
    ] = 0.0,
    lost_response_rate: Annotated[
        float,
        typer.Option(
            "--lost-response-rate",
            min=0.0,
            max=1.0,
            help="Share of requests that do their work, then answer HTTP 500 (the response is lost).",
        ),
    ] = 0.0,
    seed: Annotated[int, typer.Option("--seed", help="Seed for IDs and fault decisions (same seed, same run).")] = 0,
    core: Annotated[
        bool,
        typer.Option("--core/--no-core", help="Whether the account is WorkSpaces Core allow-listed (MANUAL, BYOP)."),
    ] = True,
    image_limit: Annotated[int, typer.Option("--image-limit", min=0, help="Images the account may own.")] = 40,
    usage_days: Annotated[
        int,
        typer.Option(
            "--usage-days",
            min=0,
            max=455,
            help="Days of seeded CloudWatch usage history before the reset, for every WorkSpace whenever created.",
        ),
    ] = 90,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Replace the file even if it is not a wsctl sandbox (another program's database, not SQLite at all).",
        ),
    ] = False,
    output: OutputOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Recreate the sandbox: a fresh seed, these settings, request counters at zero.

    The seed: a SIMPLE_AD directory with --users users (user0001, ...) plus users that make
    an operation fail (sandbox-update-fails, -reboot-fails, -rebuild-fails, -restore-fails),
    an AD_CONNECTOR directory with 10 users, Amazon and custom bundles (one custom bundle's
    WorkSpaces end in ERROR), and EC2 images to import (one fails ingestion). `wsctl sandbox
    info` shows them all.

    Each user has a usage profile, dealt in a cycle by the number in its name (user0001
    heavy, user0002 part-time, user0003 light, user0004 never, user0005 heavy, ...), which
    gives its WorkSpaces CloudWatch metrics (AWS/WorkSpaces UserConnected, Available,
    Stopped) and connection status for the last --usage-days days. `sandbox info -o json`
    has each user's profile and ConnectedHoursPerMonth (a month being 30 days).

    It replaces only a file that is a wsctl sandbox (of any version, even a damaged one);
    any other file at WSCTL_SANDBOX_DB is left as it is, unless --force.

    Example:

        \b
        wsctl sandbox reset --time-scale 0.1 --rate-limit 2 --burst 5 --throttle-rate 0.2 --seed 7
    """
    app = app_context(ctx, output, debug=debug)
    if burst is not None and rate_limit is None:
        raise UsageError("--burst applies only with --rate-limit", hint="add --rate-limit RPS (AWS allows 2 a second)")
    from wsctl.sandbox.settings import Settings
    from wsctl.sandbox.store import Store

    store = Store()
    settings = Settings(
        users=users,
        time_scale=time_scale,
        rate_limit=rate_limit,
        burst=burst if burst is not None else Settings.burst,
        throttle_rate=throttle_rate,
        server_error_rate=server_error_rate,
        lost_response_rate=lost_response_rate,
        seed=seed,
        core=core,
        image_limit=image_limit,
        usage_days=usage_days,
    )
    replaced = store.reset(settings, force=force)
    if replaced is not None:
        app.warn(f"{store.path} {replaced}; replaced it with a new sandbox (--force)")
    info = store.info()
    amazon = sum(1 for b in info["Bundles"] if b["Owner"] == "AMAZON")
    users = sum(len(d["UserNames"]) for d in info["Directories"])
    faults = sum(len(d["FaultUsers"]) for d in info["Directories"])
    fault_text = f", and {faults} user{'s' if faults != 1 else ''} that inject{'s' if faults == 1 else ''} failures"
    app.note(
        f"Sandbox reset: {store.path}\n"
        f"{len(info['Directories'])} directories ({users} users{fault_text if faults else ''}), "
        f"{amazon} Amazon and {len(info['Bundles']) - amazon} custom bundles, "
        f"{len(info['Ec2Images'])} EC2 images to import. See them with: wsctl sandbox info"
    )
    from wsctl.render.outcome import Outcome, show

    show(app, Outcome(data=info))  # -o json/yaml: the seed; a person has read the summary above


@sandbox_app.command("info")
def info(ctx: typer.Context, output: OutputOpt = None, debug: DebugOpt = False) -> None:
    """Show the sandbox's seed (directories, users, bundles, EC2 images), request counters and settings.

    Example:

        \b
        wsctl sandbox info -o json | jq -r '.Directories[0].DirectoryId'
    """
    app = app_context(ctx, output, debug=debug)
    if app.output is OutputFormat.ids:
        raise UsageError("sandbox info has no IDs-only output", hint="use -o table, json or yaml")
    from wsctl.render.outcome import Outcome, show
    from wsctl.render.sandbox import info_tables
    from wsctl.sandbox.store import Store

    data = Store().info()
    show(app, Outcome(data=data, tables=[lambda: info_tables(data)]))


@sandbox_app.command("serve")
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", min=0, max=65535, help="Port to listen on (0 picks a free one).")
    ] = 4599,
    allow_remote: Annotated[
        bool,
        typer.Option(
            "--allow-remote", help="Allow a non-loopback --host (anyone who can reach it can use the sandbox)."
        ),
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No request log on stderr.")] = False,
) -> None:
    """Serve the sandbox over HTTP for the AWS CLI, other SDKs and Terraform.

    It speaks both protocols of the WorkSpaces model: AWS JSON 1.1 (POST / with
    X-Amz-Target) and Smithy RPC v2 CBOR; any signature is accepted. CloudWatch's
    GetMetricData and GetMetricStatistics (the seeded usage) answer at the same URL. The first line on
    stdout is the URL to use as the endpoint; one line per request goes to stderr.
    Ctrl-C or SIGTERM stops it (exit 0).

    Example:

        \b
        wsctl sandbox serve --port 4599 &
        aws workspaces describe-workspaces --endpoint-url http://127.0.0.1:4599
    """
    app = app_context(ctx)
    from wsctl.sandbox.server import is_loopback

    if not is_loopback(host) and not allow_remote:
        raise UsageError(
            f"--host {host} is not a loopback address: the sandbox has no authentication, so anyone who can "
            "reach it could use it",
            hint="pass --allow-remote to serve on it anyway, or use --host 127.0.0.1",
        )
    from wsctl.sandbox.backend import Backend
    from wsctl.sandbox.server import make_server

    backend = Backend()
    backend.store.connection()  # create and seed the database now, not on the first request
    try:
        server = make_server(host, port, backend, log=None if quiet else app.stderr)
    except OSError as exc:
        raise WsctlError(f"cannot listen on {host}:{port}: {exc.strerror or exc}", hint="try another --port") from None
    _serve_until_stopped(server, backend.store.path, app.stdout, app.stderr)


def _serve_until_stopped(server: SandboxHTTPServer, db: Path, stdout: TextIO, stderr: TextIO) -> None:
    import signal
    import threading

    # The URL first and alone on stdout, at once: scripts and tests wait for this line.
    stdout.write(server.url + "\n")
    stdout.flush()
    stderr.write(f"wsctl sandbox: serving {db} at {server.url} (Ctrl-C or SIGTERM to stop)\n")
    stderr.flush()

    def stop(signum: int, frame: object) -> None:
        threading.Thread(target=server.shutdown, daemon=True).start()

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        server.serve_forever(poll_interval=0.1)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        server.server_close()
