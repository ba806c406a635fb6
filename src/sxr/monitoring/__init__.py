"""Health, readiness, Prometheus metrics and structured logs: what an operator watches sxr by."""
