"""Kemendagri areas: province, kabupaten/kota, kecamatan, kelurahan/desa."""
