def register(router):
    """No API routes yet."""
