"""The one way into the hub's PostgreSQL database (connection, migrations) and its SQL."""
