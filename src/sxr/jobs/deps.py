"""`JobQueueDep`: the job queue the app factory made, for routes that queue slow work."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from sxr.jobs.queue import JobQueue


def get_job_queue(request: Request) -> JobQueue:
    """The queue `create_app` made for its settings and job kinds."""
    queue: JobQueue = request.app.state.jobs
    return queue


JobQueueDep = Annotated[JobQueue, Depends(get_job_queue)]
