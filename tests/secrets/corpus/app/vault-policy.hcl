path "secret/data/shop/*" {
  capabilities = ["read"]
}
