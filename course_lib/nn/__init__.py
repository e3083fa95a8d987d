"""Shared neural-network building blocks (masks, attention, WaveNet stacks, ...)."""
