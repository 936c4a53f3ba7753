"""Test doubles: real servers (an OpenAI-compatible LLM server, ...) and stand-in conversations."""
