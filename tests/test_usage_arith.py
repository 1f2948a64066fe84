"""The billable-hours arithmetic and the recommendation, against cases computed by hand.

Each case's expected numbers are worked out in its comment, from the Cost Optimizer's method
(wsctl.spec.usage's docstring): a session is billed ceil(length in hours) + the auto-stop
timeout after it (1 h for ALWAYS_ON); a gap as long as the timeout ends a session.
"""

from __future__ import annotations

import datetime as dt

import pytest

from wsctl.spec import usage as u

T0 = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
FIVE = dt.timedelta(minutes=5)


def run(pattern: str, start: dt.datetime = T0, step: dt.timedelta = FIVE) -> list[tuple[dt.datetime, float]]:
    """'1' connected, '0' not connected, '.' no data point, one character per interval."""
    return [(start + i * step, float(c)) for i, c in enumerate(pattern) if c != "."]


def measure(points: list[tuple[dt.datetime, float]], mode: str = "AUTO_STOP", timeout: int | None = 60) -> u.Usage:
    return u.measure(points, interval_seconds=300, running_mode=mode, auto_stop_timeout=timeout)


def test_a_working_day_is_one_session_of_its_hours_plus_the_timeout():
    # 09:00-17:00: 96 connected intervals = 8 h -> ceil 8 + 1 h auto-stop = 9
    usage = measure(run("1" * 96 + "0" * 24))
    assert [s.intervals for s in usage.sessions] == [96]
    assert usage.billable_hours == 9
    assert usage.connected_hours == 8


def test_five_minutes_over_the_hour_bills_the_next_hour():
    # 97 intervals = 8 h 5 min -> ceil 9 + 1 = 10
    assert measure(run("1" * 97)).billable_hours == 10


def test_a_session_crossing_midnight_is_one_session():
    # 22:00 to 02:00: 48 intervals = 4 h -> 4 + 1 = 5, one session whatever the date says
    start = dt.datetime(2026, 11, 2, 22, 0, tzinfo=dt.UTC)
    usage = measure(run("1" * 48, start))
    assert len(usage.sessions) == 1
    assert usage.sessions[0].start.day == 2 and usage.sessions[0].end.day == 3
    assert usage.billable_hours == 5


def test_a_gap_of_one_interval_stays_inside_the_session():
    # 6 + 1 gap + 6 = 13 intervals = 1 h 5 min -> ceil 2 + 1 = 3 (two sessions would bill (1+1)*2 = 4);
    # connected: 12 intervals = 1 h
    usage = measure(run("111111" + "0" + "111111"))
    assert [s.intervals for s in usage.sessions] == [13]
    assert usage.billable_hours == 3
    assert usage.connected_hours == 1


def test_a_gap_as_long_as_the_timeout_ends_the_session():
    # 12 zeros = 60 minutes = the timeout: two sessions of 30 min -> (1+1) + (1+1) = 4
    assert measure(run("111111" + "0" * 12 + "111111")).billable_hours == 4
    # 11 zeros: one session of 23 intervals = 1 h 55 min -> 2 + 1 = 3
    one = measure(run("111111" + "0" * 11 + "111111"))
    assert len(one.sessions) == 1 and one.billable_hours == 3


def test_a_longer_timeout_joins_more_and_bills_more_idle_time():
    # AUTO_STOP 120 min: a 12-zero gap stays inside; 24 intervals = 2 h -> 2 + 2 = 4
    usage = measure(run("111111" + "0" * 12 + "111111"), timeout=120)
    assert len(usage.sessions) == 1
    assert usage.idle_hours == 2
    assert usage.billable_hours == 4


def test_always_on_is_billed_one_idle_hour_whatever_its_timeout_field():
    # ALWAYS_ON: the Cost Optimizer's 1 h; two 30-min sessions 2 h apart -> (1+1)*2 = 4
    usage = measure(run("111111" + "0" * 24 + "111111"), mode="ALWAYS_ON", timeout=180)
    assert usage.idle_hours == 1
    assert usage.billable_hours == 4


def test_missing_points_inside_a_session_count_like_zeros():
    # 6 + 3 missing + 6 = 15 intervals = 1 h 15 min -> 2 + 1 = 3; connected 1 h
    usage = measure(run("111111" + "..." + "111111"))
    assert [s.intervals for s in usage.sessions] == [15]
    assert usage.billable_hours == 3
    assert usage.connected_hours == 1
    assert usage.points == 12


def test_missing_data_as_long_as_the_timeout_ends_the_session():
    # 4 hours without data between two 30-min sessions: two sessions, (1+1)*2 = 4
    # (the Cost Optimizer would join the 12 points it has into one 1-h session: 1+1 = 2)
    usage = measure(run("111111" + "." * 48 + "111111"))
    assert len(usage.sessions) == 2
    assert usage.billable_hours == 4


def test_a_workspace_created_mid_period_counts_the_days_it_has():
    # Data for days 20-29 of a 30-day period only: 10 days x (8 h + 1 h) = 90 billable h; the
    # threshold stays the period's (85 h): AUTO_STOP -> ALWAYS_ON saves ~5 h
    start = T0 - dt.timedelta(days=10)
    points: list[tuple[dt.datetime, float]] = []
    for day in range(10):
        points += run("1" * 96 + "0" * 192, start + dt.timedelta(days=day))
    usage = measure(points)
    assert len(usage.sessions) == 10
    assert usage.billable_hours == 90
    advice = u.recommend(facts(usage.billable_hours), rules())
    assert advice.recommendation == u.ALWAYS_ON
    assert advice.reason == "90 billable h in 30 d, above the 85 h break-even for STANDARD: ALWAYS_ON saves ~5 h"


def test_no_points_no_sessions():
    usage = measure([])
    assert usage.sessions == () and usage.billable_hours == 0 and usage.points == 0


def test_hourly_data_measures_in_hours():
    # 3 connected hours -> 3 + 1 = 4; with 1-hour points a one-hour gap already ends a session
    hour = dt.timedelta(hours=1)
    usage = u.measure(run("111", step=hour), interval_seconds=3600, running_mode="AUTO_STOP", auto_stop_timeout=60)
    assert usage.billable_hours == 4
    split = u.measure(run("101", step=hour), interval_seconds=3600, running_mode="AUTO_STOP", auto_stop_timeout=60)
    assert len(split.sessions) == 2 and split.billable_hours == 4


# --- recommendations ----------------------------------------------------------------------------


def facts(billable: float, mode: str = "AUTO_STOP", compute: str = "STANDARD", **kw: object) -> u.Facts:
    base: dict[str, object] = {"has_data": True, "connected_in_unused_window": True}
    base.update(kw)
    return u.Facts(running_mode=mode, compute_type=compute, billable_hours=billable, **base)  # type: ignore[arg-type]


def rules(days: float = 30, **kw: object) -> u.Rules:
    base: dict[str, object] = {"thresholds": u.DEFAULT_THRESHOLDS, "unused_days": days}
    base.update(kw)
    return u.Rules(days=days, **base)  # type: ignore[arg-type]


def test_the_issue_example_word_for_word():
    advice = u.recommend(facts(112), rules())
    assert advice == u.Advice(
        u.ALWAYS_ON, "112 billable h in 30 d, above the 85 h break-even for STANDARD: ALWAYS_ON saves ~27 h", 27
    )


def test_a_long_auto_stop_timeout_is_lowered_not_switched_when_an_hour_would_be_below_the_break_even():
    # 20 sessions of 3 h at a 180-minute timeout: 20 x (3 + 3) = 120 h, above 85; at 60 minutes
    # 20 x (3 + 1) = 80 h, below: ALWAYS_ON (judged at +1 h) would be switched back next time.
    kept = u.recommend(facts(120, billable_hours_at_60=80, auto_stop_timeout=180), rules())
    assert kept.recommendation == u.KEEP, kept
    assert "180-minute auto-stop timeout" in kept.reason and "80 h with a 60-minute one" in kept.reason
    assert "--auto-stop-timeout 60" in kept.reason
    # Above the break-even even at 60 minutes: the switch stands.
    switched = u.recommend(facts(160, billable_hours_at_60=100, auto_stop_timeout=180), rules())
    assert switched.recommendation == u.ALWAYS_ON and switched.saving == 75


def test_measure_at_60_minutes_is_what_always_on_would_be_judged_with():
    hour = 300
    # Two 1-hour sessions 2 hours apart: one session at a 180-minute timeout, two at 60 minutes.
    connected = [*range(0, 3600, hour), *range(3 * 3600, 4 * 3600, hour)]
    series = [(float(t), 1.0 if t in connected else 0.0) for t in range(0, 6 * 3600, hour)]
    long = u.measure(series, interval_seconds=300, running_mode="AUTO_STOP", auto_stop_timeout=180)
    at_60 = u.measure(series, interval_seconds=300, running_mode="AUTO_STOP", auto_stop_timeout=60)
    always = u.measure(series, interval_seconds=300, running_mode="ALWAYS_ON", auto_stop_timeout=None)
    assert (len(long.sessions), long.billable_hours) == (1, 4 + 3)
    assert (len(at_60.sessions), at_60.billable_hours) == (len(always.sessions), always.billable_hours) == (2, 4)


def test_light_always_on_goes_auto_stop_with_the_saving_below_the_threshold():
    advice = u.recommend(facts(40, mode="ALWAYS_ON"), rules())
    assert advice.recommendation == u.AUTO_STOP
    assert advice.saving == 45
    assert advice.reason.endswith("at or below the 85 h break-even for STANDARD: AUTO_STOP saves ~45 h")


@pytest.mark.parametrize(
    ("billable", "mode", "min_saving", "expected"),
    [
        (85, "AUTO_STOP", 0, u.KEEP),  # the Cost Optimizer: AUTO_STOP switches only above the threshold
        (85.5, "AUTO_STOP", 0, u.ALWAYS_ON),
        (85, "ALWAYS_ON", 0, u.AUTO_STOP),  # ... and ALWAYS_ON at or below it
        (85, "ALWAYS_ON", 5, u.KEEP),  # saving 0 < 5
        (80, "ALWAYS_ON", 5, u.AUTO_STOP),  # saving exactly 5
        (88, "AUTO_STOP", 5, u.KEEP),
        (120, "ALWAYS_ON", 5, u.KEEP),
        (10, "AUTO_STOP", 5, u.KEEP),
    ],
)
def test_threshold_edges_and_min_saving(billable: float, mode: str, min_saving: float, expected: str):
    assert u.recommend(facts(billable, mode=mode), rules(min_saving=min_saving)).recommendation == expected


def test_a_saving_under_min_saving_says_so():
    advice = u.recommend(facts(88), rules())
    assert advice.recommendation == u.KEEP
    assert advice.reason.endswith("ALWAYS_ON would save ~3 h, under --min-saving 5")


def test_other_periods_scale_the_threshold_and_say_so():
    # 15 days: 85 * 15 / 30 = 42.5 h; 50 billable -> saves 7.5
    advice = u.recommend(facts(50), rules(days=15))
    assert advice.recommendation == u.ALWAYS_ON
    assert advice.saving == pytest.approx(7.5)
    assert "the 42.5 h break-even for STANDARD (85 h a month scaled to 15 d)" in advice.reason


def test_each_compute_type_has_its_default():
    assert u.DEFAULT_THRESHOLDS == {
        "VALUE": 81,
        "STANDARD": 85,
        "PERFORMANCE": 83,
        "POWER": 83,
        "POWERPRO": 80,
        "GRAPHICS": 217,
        "GRAPHICSPRO": 80,
    }
    # GRAPHICS: 217 h; 200 billable AUTO_STOP stays
    assert u.recommend(facts(200, compute="GRAPHICS"), rules()).recommendation == u.KEEP
    assert u.recommend(facts(200, compute="VALUE"), rules()).recommendation == u.ALWAYS_ON


def test_an_override_replaces_the_default():
    assert u.recommend(facts(112), rules(thresholds={"STANDARD": 120})).recommendation == u.KEEP


def test_a_compute_type_without_threshold_is_kept_and_the_note_names_the_flag():
    advice = u.recommend(facts(300, compute="GRAPHICS_G4DN"), rules())
    assert advice.recommendation == u.KEEP
    assert "--threshold GRAPHICS_G4DN=HOURS" in advice.reason


def test_manual_is_never_recommended_for_a_change_even_unused():
    advice = u.recommend(facts(0, mode="MANUAL", connected_in_unused_window=False), rules())
    assert advice.recommendation == u.KEEP and "MANUAL" in advice.reason


def test_skip_convert_excludes_any_recommendation():
    assert u.recommend(facts(300, skip_tag=True), rules()).recommendation == u.KEEP
    assert u.recommend(facts(0, skip_tag=True, connected_in_unused_window=False), rules()).recommendation == u.KEEP


@pytest.mark.parametrize("key", ["Skip_Convert", "skip_convert", "SKIP_CONVERT", "sKiP_cOnVeRt"])
def test_skip_convert_in_any_case(key: str):
    assert u.has_skip_tag([{"Key": "Owner", "Value": "x"}, {"Key": key, "Value": ""}])


def test_other_tags_do_not_skip():
    assert not u.has_skip_tag([{"Key": "Skip", "Value": "Convert"}, {"Key": "SkipConvert"}])


def test_unused_when_no_connection_in_the_window():
    advice = u.recommend(facts(0, mode="ALWAYS_ON", connected_in_unused_window=False), rules(unused_days=45))
    assert advice.recommendation == u.UNUSED
    assert advice.reason.startswith("no user connection in 45 d")


def test_no_data_but_a_recent_connection_is_kept():
    advice = u.recommend(facts(0, has_data=False), rules())
    assert advice.recommendation == u.KEEP and "no UserConnected data" in advice.reason


def test_month_end_only_holds_always_on_to_auto_stop_until_the_last_day():
    held = u.recommend(facts(40, mode="ALWAYS_ON"), rules(month_end_only=True, month_end=False))
    assert held.recommendation == u.KEEP and "--month-end-only" in held.reason
    assert u.recommend(facts(40, mode="ALWAYS_ON"), rules(month_end_only=True, month_end=True)).recommendation == (
        u.AUTO_STOP
    )
    # AUTO_STOP -> ALWAYS_ON goes on any day, as with the Cost Optimizer
    assert u.recommend(facts(112), rules(month_end_only=True, month_end=False)).recommendation == u.ALWAYS_ON


def test_month_end():
    assert u.is_month_end(dt.datetime(2026, 11, 30, 23, tzinfo=dt.UTC))
    assert u.is_month_end(dt.datetime(2028, 2, 29, tzinfo=dt.UTC))
    assert not u.is_month_end(dt.datetime(2026, 12, 2, tzinfo=dt.UTC))
