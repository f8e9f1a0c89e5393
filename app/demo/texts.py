"""Names, places and notes the demo draws from (Sundanese / Indonesian, as met in Kota Cimahi)."""

MALE_FIRST = (
    "Asep", "Dede", "Ujang", "Cecep", "Dadang", "Endang", "Agus", "Iwan", "Yayat", "Ade", "Aep", "Deden",
    "Dudi", "Jajang", "Usep", "Wawan", "Yana", "Rahmat", "Ridwan", "Hendra", "Budi", "Ahmad", "Dani", "Rudi",
    "Acep", "Tatang", "Nana", "Encep", "Didin", "Dindin", "Atep", "Yudi", "Herman", "Maman", "Dodi", "Apep",
)  # fmt: skip
MALE_LAST = (
    "Saepudin", "Kurniawan", "Hidayat", "Sutisna", "Suryana", "Permana", "Gunawan", "Setiawan", "Rohman",
    "Hermawan", "Nugraha", "Supriatna", "Sopandi", "Mulyana", "Firmansyah", "Ramdani", "Maulana", "Kusnadi",
    "Sukmana", "Suhendar", "Rosadi", "Solihin", "Jaelani", "Mulyadi", "Sunarya", "Rukmana", "Sudrajat",
    "Hamdani", "Taufik", "Iskandar", "Wahyudin", "Komarudin", "Sobari", "Ruhiyat", "Syarifudin",
)  # fmt: skip
FEMALE_FIRST = (
    "Siti", "Euis", "Neneng", "Ai", "Imas", "Enok", "Yati", "Iis", "Dewi", "Rina", "Nining", "Tati", "Lilis",
    "Cucu", "Eneng", "Entin", "Heni", "Yuyun", "Wulan", "Nurul", "Rini", "Sri", "Ela", "Dedeh", "Iin", "Nia",
    "Tuti", "Ani", "Rika", "Elis", "Yeni", "Mimin", "Nenden", "Titin", "Rosita", "Kokom", "Yanti", "Fitri",
)  # fmt: skip
FEMALE_LAST = (
    "Nurhaliza", "Rahmawati", "Kurniasih", "Nurhayati", "Sumarni", "Komalasari", "Susilawati", "Rohayati",
    "Handayani", "Lestari", "Suryani", "Wulandari", "Maryati", "Mulyani", "Fitriani", "Rosmiati", "Hasanah",
    "Aisyah", "Sulastri", "Nurjanah", "Herawati", "Yulianti", "Kartika", "Sopiah", "Maryam", "Rostika",
    "Juariah", "Setiawati", "Rusmiati", "Hayati", "Nurlela", "Suhaeti",
)  # fmt: skip
BOY_FIRST = (
    "Muhammad", "Rizky", "Raka", "Fajar", "Dimas", "Alif", "Rafi", "Zaki", "Fauzan", "Reza", "Arya", "Bagas",
    "Gilang", "Ilham", "Rangga", "Rendi", "Farhan", "Daffa", "Haikal", "Naufal", "Azka", "Galih", "Yoga",
)  # fmt: skip
BOY_LAST = (
    "Ramadhan", "Pratama", "Saputra", "Maulana", "Nugraha", "Hidayat", "Firmansyah", "Setiawan", "Permana",
    "Alfarizi", "Fadillah", "Kurniawan", "Akbar", "Hakim", "Syahputra",
)  # fmt: skip
GIRL_FIRST = (
    "Aulia", "Nabila", "Salsabila", "Putri", "Citra", "Nayla", "Zahra", "Keisha", "Anisa", "Dinda", "Intan",
    "Rahma", "Syifa", "Alya", "Kayla", "Tiara", "Nadia", "Vina", "Rani", "Amelia", "Neng",
)  # fmt: skip
GIRL_LAST = (
    "Rahmawati", "Azzahra", "Aprilia", "Nuraini", "Lestari", "Khairunnisa", "Ramadhani", "Maharani",
    "Oktaviani", "Safitri", "Permatasari", "Nurhasanah", "Fauziah", "Kirana",
)  # fmt: skip
ELDER_MALE = ("Odo", "Oman", "Emuh", "Karta", "Sarma", "Udin", "Enjang", "Adang", "Rasta", "Oji", "Ahim", "Encun")
ELDER_MALE_LAST = ("Sudarma", "Sumarna", "Wiganda", "Suparman", "Kartiwa")
ELDER_FEMALE = ("Icih", "Onah", "Enah", "Oyoh", "Iyah", "Enung", "Ocoh", "Imi", "Acih", "Ijah", "Odah", "Eem", "Oneng")
ELDER_FEMALE_LAST = ("Sumirah", "Rohmah", "Kusmiati", "Saadah")
STREETS = (
    "Jl. Kebon Kopi", "Jl. Sadarmanah", "Jl. Encep Kartawiria", "Jl. Cibaligo", "Jl. Mahar Martanegara",
    "Jl. Leuwigajah", "Jl. Baros", "Jl. Gatot Subroto", "Jl. Amir Machmud", "Jl. Sangkuriang", "Jl. Cihanjuang",
    "Jl. Kolonel Masturi", "Jl. Pesantren", "Jl. Cibeber", "Jl. Melong Raya", "Jl. Cijerah", "Jl. Pojok",
    "Jl. Cigugur Girang", "Jl. Citeureup", "Jl. Cipageran", "Jl. Sukarasa", "Jl. Kamarung", "Jl. Sriwijaya",
    "Jl. Sukaraja", "Jl. Tagog", "Gg. Manunggal", "Gg. Bakti", "Gg. Sukamaju", "Gg. Mesjid", "Gg. Kujang",
)  # fmt: skip
FLOWERS = (
    "Mawar", "Melati", "Anggrek", "Kenanga", "Dahlia", "Cempaka", "Teratai", "Flamboyan", "Kamboja", "Seruni",
    "Asoka", "Bougenvil", "Nusa Indah", "Edelweis", "Kemuning", "Soka", "Matahari", "Lili", "Tulip", "Sakura",
)  # fmt: skip
MOSQUES = ("Masjid Al-Ikhlas", "Masjid At-Taqwa", "Masjid Nurul Huda", "Masjid Al-Hidayah", "Masjid Baiturrahman")
CANCEL_REASONS = (
    "Aula dipakai untuk vaksinasi massal oleh puskesmas.",
    "Bertepatan dengan posyandu serentak; sebagian besar KPM bertugas sebagai kader.",
    "Hujan deras sejak pagi, sebagian jalan gang tergenang.",
    "Pendamping dipanggil rapat koordinasi mendadak di Dinas Sosial Kota Cimahi.",
    "Banyak KPM menghadiri hajatan warga di RW yang sama.",
    "Tempat pertemuan sedang direnovasi; dijadwalkan ulang bulan berikutnya.",
)
PHONE_PREFIXES = ("0812", "0813", "0821", "0822", "0852", "0853", "0857", "0858", "0877", "0878", "0895", "0896")
GRADUATION_NOTES = (
    "Suami bekerja tetap di pabrik tekstil; ibu membuka warung sembako di depan rumah.",
    "Usaha katering rumahan berjalan dua tahun, pesanan rutin dari kantor kelurahan.",
    "Anak sulung sudah bekerja dan ikut menanggung kebutuhan rumah tangga.",
    "Keluarga menyatakan siap keluar dari PKH; menabung di bank dan ikut arisan RT.",
    "Usaha jahit pakaian berkembang; rumah sudah diperbaiki, lantai keramik dan dinding tembok.",
    "Suami diangkat menjadi pegawai tetap di gudang ekspedisi; ibu berjualan kue basah.",
)
DRAFT_NOTES = (
    "Kunjungan belum selesai, dilanjutkan minggu depan.",
    "Ibu sedang bekerja; data penghasilan dan pengeluaran menyusul.",
    "Sebagian jawaban perlu dicek ulang dengan kader posyandu.",
)
