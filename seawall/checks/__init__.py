"""Hardening checks with stable rule IDs: Dockerfiles, built images, workloads (Kubernetes, Compose, OCI)."""
