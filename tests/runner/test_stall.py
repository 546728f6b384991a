"""The GIL stall probe records how late its sleeps wake up."""

import time

from signstudio.runner.stall import StallProbe


def test_probe_records_wake_ups():
    with StallProbe(interval=0.001) as probe:
        time.sleep(0.05)
    n = len(probe.lateness_ms)
    assert n > 5 and probe.max_ms >= probe.p99_ms
    assert probe.summary().endswith(f"over {n} wake-ups")
