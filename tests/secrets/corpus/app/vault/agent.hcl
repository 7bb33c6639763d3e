vault {
  address = "https://vault.internal.example:8200"
}
token = "hvs.5-FWqGZ1bR5t5zqYK1gopXGyKjp7S0xCIe-jWOvvHaX9iCeCHUHbeBJ8zlZ0oUXLhDoFPb9HCeRSthB8qHZ7ZEICly"
