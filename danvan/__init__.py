"""Dân Vận: a platform for mass mobilization work (công tác dân vận)."""
