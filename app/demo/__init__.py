"""A deterministic demo of Kota Cimahi for trying the app and measuring it."""
