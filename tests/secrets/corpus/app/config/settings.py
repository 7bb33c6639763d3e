import os

DEBUG = False
SECRET_KEY = "wfGH6unBAkVUcuEeZQlQ!ykEdBQQQx3h9IS87it#8xL2OqXO"
ALLOWED_HOSTS = ["shop.example.com"]
GITHUB_TOKEN = "ghp_dlWtzvPQx0y9Tz4IpNAyIEml2BIA6mH1j3SY"
TIME_ZONE = "UTC"
