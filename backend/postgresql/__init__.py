"""Django's PostgreSQL backend with the connection pool's check made cheap under load (base.py)."""
