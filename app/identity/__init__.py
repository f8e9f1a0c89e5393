"""Indonesian identity numbers: NIK and No. KK."""
