"""A stand-in for `pwdlib`, copied beside the tests only when pip has no `pwdlib` to install (an offline
index): the template's newer `test_login.py` imports `pwdlib.hashers.bcrypt.BcryptHasher` at the top, for
its two tests of the template's own bcrypt → argon2 upgrade, which scripts/template-suite.sh deselects
(our server stores bcrypt hashes and upgrades nothing). Only that name is here, on the `bcrypt` package."""
