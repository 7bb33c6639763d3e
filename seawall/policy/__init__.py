"""Policy shared by the CI gate, admission and registry watch: thresholds, ignore files, VEX."""
