"""Jobs: the durable record of slow work done off the request (reading uploads, purges), and its queue.

`models.Job` is the record every page reads (queued, running, done, failed, each try and its error in
plain words); `queue.JobQueue` hands job ids to huey (SQLite in the data dir, or Redis) and runs them in
`sxr worker` processes. What each kind of job does is passed in (sxr.pipeline.jobs), as derivers are.
"""
