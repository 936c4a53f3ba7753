"""AI career assistant: answers grounded in the AI career guide."""
