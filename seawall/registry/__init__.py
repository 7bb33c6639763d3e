"""OCI distribution client: references, authentication, manifests, blobs, tags, referrers, push."""
