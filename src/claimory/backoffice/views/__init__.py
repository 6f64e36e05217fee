"""Staff views, one module per area: claims, claim actions, board, settings."""
