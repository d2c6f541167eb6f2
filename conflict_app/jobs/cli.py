"""``flask jobs ...``: the worker and scheduler processes, and running a job by hand."""

from __future__ import annotations

import click
from flask import Flask, current_app


def register(app: Flask) -> None:
    @app.cli.group("jobs")
    def jobs_group() -> None:
        """Background jobs (RQ on Redis when REDIS_URL is set)."""

    @jobs_group.command("worker")
    @click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
    def worker(burst: bool) -> None:
        """Run queued jobs: herders' texts first, then ordinary work, then bulk batches."""
        from rq import SimpleWorker

        from conflict_app.jobs import QUEUES
        from conflict_app.jobs.rq_backend import connection

        _need_redis()
        conn = connection()
        # SimpleWorker runs jobs in this process: the app and its connection pool are built
        # once; run several workers for more throughput.
        SimpleWorker(list(QUEUES), connection=conn).work(burst=burst, with_scheduler=True)

    @jobs_group.command("scheduler")
    def scheduler() -> None:
        """Enqueue the daily and periodic jobs on time (run exactly one per installation)."""
        from rq.cron import CronScheduler

        from conflict_app.jobs.rq_backend import SCHEDULE, connection, scheduled

        _need_redis()
        cron = CronScheduler(connection=connection())
        for name, queue, expression, interval in SCHEDULE:
            cron.register(scheduled, queue, args=(name,), cron=expression, interval=interval,
                          name=name)
        cron.start()

    @jobs_group.command("run")
    @click.argument("name")
    def run(name: str) -> None:
        """Run one job now in this process (e.g. sms.dispatch from cron without Redis)."""
        from conflict_app.jobs import TASKS, run_now

        if name not in TASKS:
            raise click.ClickException(f"unknown job {name}; known: {', '.join(sorted(TASKS))}")
        click.echo(f"{name}: {run_now(name, ())}")

    @jobs_group.command("status")
    def status() -> None:
        """Queue lengths and failed jobs."""
        from rq.registry import FailedJobRegistry

        from conflict_app.jobs import QUEUES
        from conflict_app.jobs.rq_backend import connection, queue_lengths

        _need_redis()
        conn = connection()
        for name, count in queue_lengths(conn).items():
            failed = FailedJobRegistry(name, connection=conn).count
            click.echo(f"{name}: {count} queued, {failed} failed")
        del QUEUES


def _need_redis() -> None:
    if not current_app.config.get("REDIS_URL"):
        raise click.ClickException(
            "REDIS_URL is not set: without Redis, jobs run in the web process after each "
            "change; use `flask jobs run NAME` for the daily ones.")
