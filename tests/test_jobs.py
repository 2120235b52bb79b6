"""engine.jobs: progress, results, cancellation at a yield."""

import threading

from engine.jobs import CancelToken, Progress, run_job


def counting_job(n, log):
    try:
        for i in range(n):
            yield Progress((i + 1) / n, f"step {i}", partial=i)
        return "done"
    finally:
        log.append("cleaned")


def test_run_job_returns_result_and_reports_every_step():
    log, seen = [], []
    outcome = run_job(counting_job(5, log), seen.append)
    assert outcome.result == "done" and not outcome.cancelled
    assert [p.partial for p in seen] == [0, 1, 2, 3, 4]
    assert seen[-1].fraction == 1.0
    assert log == ["cleaned"]


def test_cancel_stops_at_next_yield_and_keeps_last_partial():
    log = []
    token = CancelToken()

    def on_progress(p):
        if p.partial == 2:
            token.cancel()

    outcome = run_job(counting_job(100, log), on_progress, token)
    assert outcome.cancelled and outcome.result is None
    assert outcome.last_partial == 2
    assert log == ["cleaned"]


def test_cancel_token_is_thread_safe():
    token = CancelToken()
    t = threading.Thread(target=token.cancel)
    t.start()
    t.join()
    assert token.cancelled
