import os
password = os.environ["DB_PASSWORD"]
token = get_token()
SECRET_KEY = os.getenv("SECRET_KEY")
api_key = settings.API_KEY
if password == "hunter22abc9":
    pass
pwd = os.getcwd()
PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
def load(backend: "Backend", private_key: "_EllipticCurvePrivateKey") -> None: ...
secret = self.secret_store.lookup(name)
