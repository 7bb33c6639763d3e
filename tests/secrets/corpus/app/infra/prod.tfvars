region      = "eu-central-1"
db_password = "5omuhMFjcu1aIt3Hrt#1"
