"""The --wait engine with a fake clock: every path runs in milliseconds."""

from __future__ import annotations

from collections.abc import Sequence

from wsctl.ops.waiter import Backoff, Waiter
from wsctl.spec.waits import (
    Change,
    ImageSpec,
    Item,
    ModifySpec,
    SettleSpec,
    Status,
    exit_status,
)


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


class Script:
    """A fetch function whose answers depend on the fake time: {id: [(from_time, description|None), ...]}."""

    def __init__(self, clock: FakeClock, timeline: dict[str, list[tuple[float, dict | None]]]) -> None:
        self.clock = clock
        self.timeline = timeline
        self.asked: list[list[str]] = []

    def __call__(self, ids: Sequence[str]) -> dict[str, dict]:
        self.asked.append(list(ids))
        out = {}
        for i in ids:
            current = None
            for start, description in self.timeline.get(i, []):
                if self.clock.now >= start:
                    current = description
            if current is not None:
                out[i] = current
        return out


def ws(i: str, state: str, **extra) -> dict:
    return {"WorkspaceId": i, "State": state, **extra}


def run(timeline, spec=None, timeout=100.0, backoff=None, ids=None, seed=None):
    clock = FakeClock()
    fetch = Script(clock, timeline)
    changes: list[Change] = []
    items = [Item(i) for i in (ids or timeline)]
    waiter = Waiter(
        items,
        fetch,
        spec or SettleSpec(grace=10),
        timeout=timeout,
        backoff=backoff or Backoff(1, 2, 8),
        clock=clock,
        sleep=clock.sleep,
        on_change=changes.append,
    )
    if seed:
        waiter.seed(seed)
    return waiter.run(), fetch, clock, changes


def test_success_when_everything_becomes_available():
    result, fetch, clock, changes = run(
        {
            "ws-1": [(0, ws("ws-1", "PENDING")), (3, ws("ws-1", "AVAILABLE"))],
            "ws-2": [(0, ws("ws-2", "PENDING")), (1, ws("ws-2", "AVAILABLE"))],
        }
    )
    assert exit_status(result) == "ok"
    assert [i.status for i in result.items] == [Status.SUCCEEDED, Status.SUCCEEDED]
    # Rounds at t=1 (ws-2 done) and t=3 (ws-1 done): the second round asks only for ws-1.
    assert fetch.asked == [["ws-1", "ws-2"], ["ws-1"]]
    assert clock.sleeps == [1, 2]
    assert [(c.item.id, c.old_state, c.new_state) for c in changes] == [
        ("ws-1", None, "PENDING"),
        ("ws-2", None, "AVAILABLE"),
        ("ws-1", "PENDING", "AVAILABLE"),
    ]


def test_failure_states_end_the_wait_with_a_reason():
    result, *_ = run(
        {
            "ws-1": [(0, ws("ws-1", "ERROR", ErrorCode="BundleFailed", ErrorMessage="boom"))],
            "ws-2": [(0, ws("ws-2", "AVAILABLE"))],
        }
    )
    assert exit_status(result) == "failed"
    assert result.items[0].reason == "ended in ERROR (BundleFailed: boom)"


def test_invisible_then_visible_is_pending_not_failed():
    result, *_ = run({"ws-1": [(0, None), (5, ws("ws-1", "AVAILABLE"))]})
    assert exit_status(result) == "ok"


def test_never_visible_fails_after_the_grace_period():
    result, *_ = run({"ws-1": []}, spec=SettleSpec(grace=4))
    assert exit_status(result) == "failed"
    assert "not visible" in result.items[0].reason


def test_disappearing_after_being_seen_counts_as_terminated():
    result, *_ = run({"ws-1": [(0, ws("ws-1", "PENDING")), (2, None)]})
    assert exit_status(result) == "failed"
    assert result.items[0].state == "TERMINATED"
    assert "disappeared" in result.items[0].reason


def test_one_already_leaving_ends_well_when_terminated_or_gone():
    timeline = {
        "ws-1": [(0, ws("ws-1", "TERMINATING")), (2, ws("ws-1", "TERMINATED"))],
        "ws-2": [(0, ws("ws-2", "TERMINATING")), (2, None)],
        "ws-3": [(0, ws("ws-3", "PENDING")), (2, ws("ws-3", "TERMINATED"))],
    }
    result, *_ = run(timeline, spec=SettleSpec(grace=10, leaving=frozenset({"ws-1", "ws-2"})))
    by_id = {i.id: i for i in result.items}
    assert by_id["ws-1"].state == by_id["ws-2"].state == "TERMINATED"
    assert by_id["ws-1"].reason == by_id["ws-2"].reason == ""
    assert "ended in TERMINATED" in by_id["ws-3"].reason  # a create that ended so still failed
    assert exit_status(result) == "failed"
    result, *_ = run(
        {k: v for k, v in timeline.items() if k != "ws-3"}, spec=SettleSpec(leaving=frozenset({"ws-1", "ws-2"}))
    )
    assert exit_status(result) == "ok"


def test_timeout_leaves_items_pending():
    result, fetch, clock, _ = run({"ws-1": [(0, ws("ws-1", "PENDING"))]}, timeout=10)
    assert exit_status(result) == "timeout"
    assert result.timed_out and [i.id for i in result.pending] == ["ws-1"]
    assert clock.now == 10  # never sleeps past the deadline


def test_backoff_grows_to_the_maximum():
    _, _, clock, _ = run({"ws-1": [(0, ws("ws-1", "PENDING"))]}, timeout=40, backoff=Backoff(1, 2, 8))
    assert clock.sleeps[:6] == [1, 2, 4, 8, 8, 8]


def test_interrupt_keeps_the_last_known_states():
    clock = FakeClock()
    calls = {"n": 0}

    def fetch(ids):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        return {i: ws(i, "PENDING") for i in ids}

    waiter = Waiter([Item("ws-1")], fetch, SettleSpec(), timeout=100, clock=clock, sleep=clock.sleep)
    result = waiter.run()
    assert exit_status(result) == "interrupted"
    assert result.items[0].state == "PENDING"


def test_unknown_new_states_are_transitional():
    result, *_ = run({"ws-1": [(0, ws("ws-1", "HIBERNATING")), (2, ws("ws-1", "STOPPED"))]})
    assert exit_status(result) == "ok"


def test_seed_settles_known_items_without_a_call():
    result, fetch, _, _ = run(
        {"ws-1": [(0, ws("ws-1", "PENDING")), (2, ws("ws-1", "AVAILABLE"))], "ws-2": []},
        seed={"ws-2": ws("ws-2", "AVAILABLE")},
    )
    assert exit_status(result) == "ok"
    assert all("ws-2" not in asked for asked in fetch.asked)


def test_modify_waits_for_modifications_and_requested_properties():
    props_old = {"ComputeTypeName": "STANDARD"}
    props_new = {"ComputeTypeName": "POWER"}
    timeline = {
        "ws-1": [
            (
                0,
                ws(
                    "ws-1",
                    "AVAILABLE",
                    WorkspaceProperties=props_old,
                    ModificationStates=[{"Resource": "COMPUTE_TYPE", "State": "UPDATE_INITIATED"}],
                ),
            ),
            (2, ws("ws-1", "AVAILABLE", WorkspaceProperties=props_old)),  # not applied yet
            (5, ws("ws-1", "AVAILABLE", WorkspaceProperties=props_new)),
        ],
        "ws-2": [
            (
                0,
                ws(
                    "ws-2",
                    "AVAILABLE",
                    WorkspaceProperties=props_old,
                    ModificationStates=[{"Resource": "COMPUTE_TYPE", "State": "UPDATE_FAILED"}],
                ),
            )
        ],
    }
    spec = ModifySpec({"ws-1": props_new, "ws-2": props_new})
    result, _, clock, _ = run(timeline, spec=spec)
    assert result.items[0].status is Status.SUCCEEDED and clock.now >= 5
    assert result.items[1].status is Status.FAILED and "UPDATE_FAILED on COMPUTE_TYPE" in result.items[1].reason


def test_images_to_available_and_error():
    timeline = {
        "wsi-1": [(0, {"ImageId": "wsi-1", "State": "PENDING"}), (3, {"ImageId": "wsi-1", "State": "AVAILABLE"})],
        "wsi-2": [(0, {"ImageId": "wsi-2", "State": "ERROR", "ErrorCode": "ImportFailed", "ErrorMessage": "x"})],
    }
    result, *_ = run(timeline, spec=ImageSpec())
    assert [i.status for i in result.items] == [Status.SUCCEEDED, Status.FAILED]


def test_describe_wait_counts_a_modification_in_progress_as_pending():
    mods = [{"Resource": "COMPUTE_TYPE", "State": "UPDATE_IN_PROGRESS"}]
    result, _, clock, _ = run(
        {
            "ws-1": [
                (0, ws("ws-1", "AVAILABLE", ModificationStates=mods)),
                (4, ws("ws-1", "AVAILABLE", ModificationStates=[])),
            ]
        }
    )
    assert exit_status(result) == "ok" and clock.now >= 4
    failed, *_ = run(
        {
            "ws-1": [
                (0, ws("ws-1", "AVAILABLE", ModificationStates=[{"Resource": "ROOT_VOLUME", "State": "UPDATE_FAILED"}]))
            ]
        }
    )
    assert exit_status(failed) == "failed" and "UPDATE_FAILED on ROOT_VOLUME" in failed.items[0].reason


def test_a_property_the_endpoint_does_not_report_does_not_keep_a_wait_going():
    spec = ModifySpec({"ws-1": {"UserVolumeSizeGib": 100}})
    verdict = spec.judge(Item("ws-1"), {"WorkspaceId": "ws-1", "State": "AVAILABLE", "WorkspaceProperties": {}}, 5)
    assert verdict.status is Status.SUCCEEDED
    reported = {"WorkspaceId": "ws-1", "State": "AVAILABLE", "WorkspaceProperties": {"UserVolumeSizeGib": 50}}
    assert spec.judge(Item("ws-1"), reported, 5).status is Status.PENDING
