"""The benchmark's usage section reads the calls line `wsctl usage` prints."""

from __future__ import annotations

import datetime as dt

from bench.bench import SECTIONS, usage_calls
from wsctl.render.usage import usage_outcome
from wsctl.spec.usage_report import UsageReport, UsageSettings


def test_usage_calls_reads_the_line_usage_prints():
    end = dt.datetime(2026, 12, 2, tzinfo=dt.UTC)
    settings = UsageSettings(start=end - dt.timedelta(days=30), end=end, thresholds={}, unused_days=30, now=end)
    report = UsageReport(settings, [], 300, calls={"GetMetricData": 86, "DescribeWorkspaces": 40})
    notes = "\n".join(usage_outcome(report, sandbox=False).table_notes)
    assert usage_calls(f"Period: ...\n{notes}\n") == {"GetMetricData": 86, "DescribeWorkspaces": 40}
    assert usage_calls("nothing") == {}
    assert "usage" in SECTIONS
