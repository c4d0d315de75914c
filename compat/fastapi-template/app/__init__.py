"""A stand-in for the FastAPI template's `app` package, so the template's own backend tests
(`backend/tests` or `backend/app/tests`, unchanged) run against this sign-in server over HTTP.

Nothing here implements the API: `app.main.app` forwards every request to the running server, and
`crud`, `utils` and `models` reach the same server through its API (as the superuser) and read its
database (the `users` table, whose column names are the template's). See docs/fastapi-template.md.
"""
