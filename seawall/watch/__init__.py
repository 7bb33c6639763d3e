"""Registry scans and the watch service: tags resolved to digests, each digest indexed once into a
results store (SBOM and findings), re-matched when the vulnerability database changes, and new
findings sent to a webhook or a command hook."""
