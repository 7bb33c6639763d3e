"""One module per Dockerfile rule family; each declares its rules and checks (see ``..engine``)."""
