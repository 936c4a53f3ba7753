"""Test doubles that run as real servers (an OpenAI-compatible LLM server, ...)."""
