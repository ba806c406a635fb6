"""sxr.pipeline: the jobs that bring domains together, above them: derivers run on new evidence (import a
chat, read a screenshot, analyse it) and a person's confirmed reading of a screenshot.

`sxr.pipeline.derivers.DERIVERS` is the one list of derivers; the app factory and the CLI pass it to the
evidence locker.
"""
