"""Complementary aid (komplementaritas): programmes received, gaps, aid applications."""
