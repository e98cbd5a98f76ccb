"""Plain data and the errors every layer raises: no I/O, no Qt."""
