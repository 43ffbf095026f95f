"""Reference vocabularies for the synthetic Vietnamese retailer.

Plain data only: weighted name lists, cities and their spellings, phone prefixes,
the product catalogue, stores, campaigns and free-text templates. Weights are
relative frequencies; nothing here is random.
"""

from __future__ import annotations

import unicodedata

# --------------------------------------------------------------------------- names
#: (family name, relative frequency). Hoàng/Huỳnh and Vũ/Võ are the northern and
#: southern forms of the same name; both are listed separately.
FAMILY_NAMES: tuple[tuple[str, float], ...] = (
    ("Nguyễn", 38.0), ("Trần", 11.0), ("Lê", 9.5), ("Phạm", 7.1), ("Hoàng", 3.0),
    ("Huỳnh", 2.1), ("Phan", 4.5), ("Vũ", 2.0), ("Võ", 1.9), ("Đặng", 2.1), ("Bùi", 2.0),
    ("Đỗ", 1.4), ("Hồ", 1.3), ("Ngô", 1.3), ("Dương", 1.0), ("Lý", 0.5), ("Đào", 0.6),
    ("Đinh", 0.6), ("Trương", 0.6), ("Lâm", 0.5), ("Mai", 0.4), ("Trịnh", 0.4), ("Cao", 0.3),
    ("Lưu", 0.3), ("Tô", 0.2), ("Tạ", 0.2), ("Hà", 0.3), ("Châu", 0.2), ("Quách", 0.1),
    ("Kiều", 0.1), ("Thái", 0.2), ("Lương", 0.3), ("Tăng", 0.1), ("La", 0.1), ("Triệu", 0.1),
    ("Phùng", 0.1), ("Văn", 0.1), ("Doãn", 0.05), ("Khúc", 0.05), ("Chu", 0.1),
)

#: Middle names; the traditional Văn / Thị are far less common for people born after 1995.
MIDDLE_MALE: tuple[tuple[str, float, float], ...] = (
    # (name, weight born before 1995, weight born 1995 or later)
    ("Văn", 34.0, 8.0), ("Minh", 10.0, 16.0), ("Đức", 8.0, 9.0), ("Quốc", 6.0, 8.0),
    ("Hoàng", 5.0, 7.0), ("Thanh", 6.0, 5.0), ("Hữu", 6.0, 4.0), ("Công", 5.0, 4.0),
    ("Tuấn", 2.0, 4.0), ("Anh", 2.0, 6.0), ("Gia", 1.0, 8.0), ("Ngọc", 2.0, 2.0),
    ("Xuân", 2.0, 1.0), ("Trọng", 3.0, 2.0), ("Bảo", 1.0, 7.0), ("Đình", 4.0, 2.0),
    ("Quang", 3.0, 4.0), ("Nhật", 0.5, 5.0), ("Khánh", 0.5, 3.0),
)
MIDDLE_FEMALE: tuple[tuple[str, float, float], ...] = (
    ("Thị", 45.0, 12.0), ("Ngọc", 10.0, 12.0), ("Thanh", 7.0, 6.0), ("Thu", 6.0, 5.0),
    ("Minh", 3.0, 8.0), ("Hồng", 5.0, 3.0), ("Kim", 4.0, 4.0), ("Bảo", 1.0, 8.0),
    ("Phương", 3.0, 6.0), ("Mai", 3.0, 4.0), ("Khánh", 1.0, 6.0), ("Hoài", 2.0, 3.0),
    ("Diệu", 2.0, 3.0), ("Quỳnh", 1.0, 5.0), ("Thùy", 3.0, 5.0), ("Hải", 1.0, 3.0),
    ("Yến", 1.0, 2.0), ("Gia", 0.2, 4.0),
)

GIVEN_MALE: tuple[tuple[str, float], ...] = (
    ("Tuấn", 9.0), ("Hùng", 8.0), ("Dũng", 7.0), ("Minh", 8.0), ("Nam", 7.0), ("Huy", 8.0),
    ("Hải", 6.0), ("Long", 6.0), ("Sơn", 5.0), ("Thắng", 4.0), ("Cường", 4.0),
    ("Khánh", 4.0), ("Phúc", 4.0), ("Đức", 5.0), ("Quân", 5.0), ("Trung", 5.0), ("Hiếu", 5.0),
    ("Thành", 5.0), ("Tâm", 3.0), ("Bảo", 4.0), ("Khoa", 4.0), ("Phong", 4.0), ("Tùng", 4.0),
    ("Vinh", 3.0), ("Hoàng", 3.0), ("Lâm", 3.0), ("Tài", 3.0), ("Thịnh", 3.0), ("Đạt", 5.0),
    ("Kiên", 2.0), ("An", 4.0), ("Quang", 3.0), ("Hưng", 3.0), ("Toàn", 2.0), ("Nghĩa", 2.0),
    ("Tú", 2.0), ("Việt", 3.0), ("Hậu", 2.0), ("Duy", 4.0), ("Khang", 3.0), ("Anh", 5.0),
    ("Trí", 3.0), ("Lộc", 2.0), ("Nhân", 2.0), ("Thiện", 2.0), ("Vũ", 3.0), ("Bình", 3.0),
)
GIVEN_FEMALE: tuple[tuple[str, float], ...] = (
    ("Lan", 7.0), ("Hương", 8.0), ("Linh", 10.0), ("Trang", 9.0), ("Phương", 6.0),
    ("Anh", 9.0), ("Ngọc", 5.0), ("Hà", 6.0), ("Thảo", 7.0), ("Hạnh", 4.0), ("Mai", 5.0),
    ("Hoa", 4.0), ("Nhung", 3.0), ("Huyền", 5.0), ("Thủy", 4.0), ("Yến", 4.0), ("Vy", 6.0),
    ("Nhi", 6.0), ("Thư", 5.0), ("Hằng", 4.0), ("Giang", 4.0), ("Quỳnh", 4.0), ("Oanh", 2.0),
    ("Loan", 2.0), ("Dung", 3.0), ("Nga", 3.0), ("Trâm", 3.0), ("My", 4.0), ("Hiền", 3.0),
    ("Tâm", 2.0), ("Ánh", 2.0), ("Uyên", 3.0), ("Châu", 2.0), ("Vân", 3.0), ("Diệp", 1.0),
    ("Ngân", 4.0), ("Trinh", 2.0), ("Liên", 2.0), ("Tuyết", 2.0), ("Thúy", 3.0), ("Chi", 4.0),
    ("Tiên", 2.0), ("Hân", 3.0), ("Như", 3.0), ("Xuân", 2.0), ("Diễm", 1.0),
)

#: A few foreign customers (expats, tourists, Việt Kiều with Western names); written
#: given name first.
FOREIGN_GIVEN_MALE: tuple[str, ...] = (
    "John", "David", "Michael", "James", "Daniel", "Thomas", "Kevin", "Minjun", "Jihoon",
    "Hiroshi", "Kenji", "Wei", "Rahul", "Lucas", "Pierre", "Tom",
)
FOREIGN_GIVEN_FEMALE: tuple[str, ...] = (
    "Emma", "Sarah", "Anna", "Emily", "Jessica", "Sophie", "Laura", "Jiwoo", "Seoyeon",
    "Yuki", "Sakura", "Mei", "Priya", "Julia", "Camille", "Olivia",
)
FOREIGN_FAMILY: tuple[str, ...] = (
    "Smith", "Johnson", "Brown", "Williams", "Miller", "Kim", "Park", "Lee", "Choi", "Tanaka",
    "Suzuki", "Sato", "Wang", "Chen", "Sharma", "Martin", "Dubois", "Schmidt", "Anderson",
    "Taylor",
)

#: Honorifics by (gender, relative age); the first element is used for the youngest.
HONORIFICS_MALE: tuple[str, ...] = ("em", "anh", "chú", "bác", "ông")
HONORIFICS_FEMALE: tuple[str, ...] = ("em", "chị", "cô", "bác", "bà")
HONORIFICS_EN_MALE: tuple[str, ...] = ("Mr", "Mr.")
HONORIFICS_EN_FEMALE: tuple[str, ...] = ("Ms", "Mrs", "Ms.")

#: Placeholders cashiers type when a customer gives no name.
NAME_PLACEHOLDERS: tuple[str, ...] = (
    "Khách lẻ", "khach le", "KHÁCH LẺ", "Khách vãng lai", "KH", "kh", "N/A", "-", "Khach",
    "khách",
)

# --------------------------------------------------------------------------- places
#: canonical city, weight, spellings (first = canonical), stores in the city.
CITIES: tuple[tuple[str, float, tuple[str, ...], int], ...] = (
    ("Hồ Chí Minh", 30.0, (
        "Hồ Chí Minh", "TP. Hồ Chí Minh", "TP.HCM", "TPHCM", "HCM", "Sài Gòn", "Saigon",
        "Ho Chi Minh City", "Ho Chi Minh", "tp hcm", "HCMC", "Thành phố Hồ Chí Minh"), 5),
    ("Hà Nội", 24.0, ("Hà Nội", "Ha Noi", "Hanoi", "HN", "TP Hà Nội", "hà nội", "HÀ NỘI"), 4),
    ("Đà Nẵng", 6.0, ("Đà Nẵng", "Da Nang", "Danang", "ĐN", "TP Đà Nẵng"), 2),
    ("Hải Phòng", 5.0, ("Hải Phòng", "Hai Phong", "HP", "TP Hải Phòng"), 1),
    ("Cần Thơ", 4.0, ("Cần Thơ", "Can Tho", "TP Cần Thơ"), 1),
    ("Biên Hòa", 4.0, ("Biên Hòa", "Bien Hoa", "Đồng Nai", "Biên Hoà"), 1),
    ("Nha Trang", 3.0, ("Nha Trang", "Nha Trang, Khánh Hòa", "Khánh Hòa", "NhaTrang"), 1),
    ("Huế", 3.0, ("Huế", "Hue", "TP Huế", "Thừa Thiên Huế"), 1),
    ("Vũng Tàu", 3.0, ("Vũng Tàu", "Vung Tau", "Bà Rịa - Vũng Tàu", "BR-VT"), 1),
    ("Thủ Dầu Một", 4.0, ("Thủ Dầu Một", "Bình Dương", "Binh Duong", "Thu Dau Mot"), 0),
    ("Quy Nhơn", 1.5, ("Quy Nhơn", "Quy Nhon", "Bình Định"), 0),
    ("Đà Lạt", 1.5, ("Đà Lạt", "Da Lat", "Dalat", "Lâm Đồng"), 0),
    ("Buôn Ma Thuột", 1.5, ("Buôn Ma Thuột", "Buon Ma Thuot", "BMT", "Đắk Lắk"), 0),
    ("Vinh", 1.5, ("Vinh", "Nghệ An", "TP Vinh"), 0),
    ("Hạ Long", 1.5, ("Hạ Long", "Ha Long", "Quảng Ninh"), 0),
    ("Nam Định", 1.0, ("Nam Định", "Nam Dinh"), 0),
    ("Thái Nguyên", 1.0, ("Thái Nguyên", "Thai Nguyen"), 0),
    ("Long Xuyên", 1.0, ("Long Xuyên", "An Giang", "Long Xuyen"), 0),
)
#: Weight of the canonical spelling; the other spellings share the rest equally.
CITY_CANONICAL_SHARE = 0.5

#: Store id prefix per city with stores.
CITY_STORE_CODE: dict[str, str] = {
    "Hồ Chí Minh": "HCM", "Hà Nội": "HN", "Đà Nẵng": "DN", "Hải Phòng": "HP", "Cần Thơ": "CT",
    "Biên Hòa": "BH", "Nha Trang": "NT", "Huế": "HUE", "Vũng Tàu": "VT",
}
#: Landline area codes (national significant number prefix) per city.
CITY_AREA_CODE: dict[str, str] = {
    "Hồ Chí Minh": "28", "Hà Nội": "24", "Đà Nẵng": "236", "Hải Phòng": "225",
    "Cần Thơ": "292", "Biên Hòa": "251", "Nha Trang": "258", "Huế": "234", "Vũng Tàu": "254",
    "Thủ Dầu Một": "274", "Quy Nhơn": "256", "Đà Lạt": "263", "Buôn Ma Thuột": "262",
    "Vinh": "238", "Hạ Long": "203", "Nam Định": "228", "Thái Nguyên": "208",
    "Long Xuyên": "296",
}

# --------------------------------------------------------------------------- phones
#: Current 10-digit mobile prefixes (without the trunk 0) and market weights.
MOBILE_PREFIXES: tuple[tuple[str, float], ...] = (
    # Viettel
    ("86", 3.0), ("96", 5.0), ("97", 6.0), ("98", 6.0), ("32", 3.0), ("33", 3.0), ("34", 3.0),
    ("35", 3.0), ("36", 3.0), ("37", 3.0), ("38", 3.0), ("39", 3.0),
    # MobiFone
    ("89", 2.0), ("90", 5.0), ("93", 4.0), ("70", 2.0), ("76", 1.5), ("77", 1.5), ("78", 1.5),
    ("79", 2.0),
    # VinaPhone
    ("88", 2.0), ("91", 5.0), ("94", 4.0), ("81", 1.5), ("82", 1.5), ("83", 1.5), ("84", 1.5),
    ("85", 1.5),
    # Vietnamobile, Gmobile, Reddi, iTel
    ("92", 1.0), ("56", 0.7), ("58", 0.7), ("99", 0.4), ("59", 0.4), ("55", 0.2), ("87", 0.3),
)

#: Official 2018 renumbering: current 2-digit prefix -> pre-2018 3-digit prefix.
LEGACY_PREFIX: dict[str, str] = {
    "32": "162", "33": "163", "34": "164", "35": "165", "36": "166", "37": "167", "38": "168",
    "39": "169", "70": "120", "79": "121", "77": "122", "76": "126", "78": "128", "83": "123",
    "84": "124", "85": "125", "81": "127", "82": "129", "56": "186", "58": "188", "59": "199",
}

#: Notations used for a mobile national significant number (9 digits, ``#`` = next digit).
MOBILE_NOTATIONS: tuple[str, ...] = (
    "+84 ## ### ####", "84#########", "0###.###.###", "(+84) ##-###-####", "0## ### ####",
    "0##-###-####", "+84#########", "0### ### ###", "+84-##-###-####",
)
#: Notations for a pre-2018 mobile (3-digit prefix + 7 digits after the trunk 0).
LEGACY_NOTATIONS: tuple[str, ...] = (
    "+84 ### ### ####", "84##########", "0###.###.####", "0### ### ####", "0###-###-####",
    "+84##########", "0### #######",
)
#: Notations for a landline with a 2-digit area code (028 Hồ Chí Minh, 024 Hà Nội).
LANDLINE2_NOTATIONS: tuple[str, ...] = (
    "(0##) #### ####", "0## #### ####", "+84 ## #### ####", "84##########", "0##-####-####",
    "0##.####.####", "(+84) ## #### ####",
)
#: Notations for a landline with a 3-digit area code (0236 Đà Nẵng, 0225 Hải Phòng…).
LANDLINE3_NOTATIONS: tuple[str, ...] = (
    "(0###) #### ###", "0### #### ###", "+84 ### #### ###", "84##########", "0###-####-###",
    "0###.####.###", "(+84) ### #### ###",
)

# --------------------------------------------------------------------------- email
FREE_EMAIL_DOMAINS: tuple[tuple[str, float], ...] = (
    ("gmail.com", 70.0), ("yahoo.com", 9.0), ("hotmail.com", 4.0), ("outlook.com", 5.0),
    ("icloud.com", 7.0), ("yahoo.com.vn", 2.0),
)
#: Provider typos and the domain they are a typo of (the repair table in docs/generator.md).
EMAIL_DOMAIN_TYPOS: dict[str, str] = {
    "gmial.com": "gmail.com", "gmail.con": "gmail.com", "gamil.com": "gmail.com",
    "gmai.com": "gmail.com", "gmail.co": "gmail.com", "gnail.com": "gmail.com",
    "gmaill.com": "gmail.com", "yaho.com": "yahoo.com", "yahoo.con": "yahoo.com",
    "yahooo.com": "yahoo.com", "hotmial.com": "hotmail.com", "hotmail.con": "hotmail.com",
    "hotmai.com": "hotmail.com", "outlok.com": "outlook.com", "outlook.con": "outlook.com",
    "iclould.com": "icloud.com", "icloud.con": "icloud.com", "yahoo.com.vm": "yahoo.com.vn",
}

#: Fictional companies (B2B customers, employers): (name, email domain).
COMPANIES: tuple[tuple[str, str], ...] = (
    ("Công ty TNHH Minh Phát", "minhphat.com.vn"),
    ("CTCP Đầu tư Sao Việt", "saoviet.vn"),
    ("Công ty TNHH Thương mại An Khang", "ankhang.vn"),
    ("CTCP Công nghệ Bình Minh", "binhminhtech.vn"),
    ("Công ty CP Logistics Hòa Bình", "hoabinhlogistics.com"),
    ("Trường Quốc tế Hoa Sen", "hoasen-school.edu.vn"),
    ("CLB Chạy bộ Sài Gòn Runners", "saigonrunners.vn"),
    ("Hanoi Running Club", "hanoirun.club"),
    ("Công ty TNHH Dệt may Phú Thịnh", "phuthinhgarment.vn"),
    ("Ngân hàng TMCP Đông Á Mới", "dongamoi-bank.vn"),
    ("Công ty TNHH Phần mềm Lotus", "lotussoft.vn"),
    ("CTCP Bất động sản Kim Long", "kimlongland.vn"),
    ("Công ty TNHH Sự kiện Ánh Dương", "anhduongevent.vn"),
    ("FitZone Gym & Yoga", "fitzone.vn"),
    ("Công ty CP Dược phẩm Thiên Phúc", "thienphucpharma.vn"),
    ("Công ty TNHH Du lịch Biển Xanh", "bienxanhtravel.vn"),
    ("CTCP Thực phẩm Việt Hưng", "viethungfood.vn"),
    ("Công ty TNHH Kiến trúc Nhà Đẹp", "nhadep-arch.vn"),
    ("Đại học Kinh tế Phương Nam", "uep.edu.vn"),
    ("Công ty CP Giải pháp Số Tân Tiến", "tantiendigital.vn"),
    ("Công ty TNHH Vận tải Nhanh Việt", "nhanhviet.vn"),
    ("CTCP Truyền thông Mặt Trời", "mattroimedia.vn"),
    ("Green Valley International School", "greenvalley.edu.vn"),
    ("Công ty TNHH Bảo hiểm An Tâm", "antam-insurance.vn"),
    ("CTCP Xây dựng Hưng Thịnh Phát", "htpconstruction.vn"),
)
JOB_TITLES: tuple[str, ...] = (
    "Giám đốc", "Phó Giám đốc", "Trưởng phòng Nhân sự", "Trưởng phòng Mua hàng",
    "Chuyên viên Nhân sự", "Kế toán trưởng", "HR Manager", "Purchasing Manager",
    "Admin Executive", "Office Manager", "CEO", "Marketing Manager", "Trưởng ban Sự kiện",
    "Chủ nhiệm CLB", "Procurement Specialist", "Hiệu trưởng",
)

# --------------------------------------------------------------------------- catalogue
#: (model code, product name, category, price VND, popularity, adult?)
PRODUCTS: tuple[tuple[str, str, str, int, float, bool], ...] = (
    ("RUN-AF2", "Giày chạy bộ AirFlow 2", "Giày chạy bộ", 1_890_000, 9.0, True),
    ("RUN-AF3", "Giày chạy bộ AirFlow 3", "Giày chạy bộ", 2_290_000, 8.0, True),
    ("RUN-SPD", "Giày chạy bộ Speedster Pro", "Giày chạy bộ", 3_290_000, 3.0, True),
    ("RUN-TRL", "Giày trail Mây Núi", "Giày chạy bộ", 2_590_000, 2.0, True),
    ("LIF-CLS", "Sneaker Classic Low", "Giày thời trang", 1_290_000, 12.0, True),
    ("LIF-CHI", "Sneaker Classic High", "Giày thời trang", 1_490_000, 6.0, True),
    ("LIF-SGN", "Sneaker Sài Gòn 1975", "Giày thời trang", 1_590_000, 7.0, True),
    ("LIF-HNI", "Sneaker Phố Cổ", "Giày thời trang", 1_590_000, 5.0, True),
    ("LIF-CNV", "Slip-on Canvas", "Giày thời trang", 890_000, 8.0, True),
    ("LIF-CHK", "Chunky Dad Shoe", "Giày thời trang", 1_990_000, 4.0, True),
    ("BAS-DNK", "Giày bóng rổ Dunk Street", "Bóng rổ", 2_490_000, 3.0, True),
    ("BAS-HOP", "Giày bóng rổ Hoop Max", "Bóng rổ", 2_890_000, 2.0, True),
    ("KID-RUN", "Giày trẻ em Tí Hon Run", "Trẻ em", 690_000, 4.0, False),
    ("KID-LIT", "Giày trẻ em Light-up", "Trẻ em", 790_000, 3.0, False),
    ("SAN-SLD", "Dép quai ngang Slide", "Dép", 390_000, 6.0, True),
    ("APP-TEE", "Áo thun thể thao DriFit", "Quần áo", 350_000, 7.0, True),
    ("APP-HOD", "Áo hoodie Logo", "Quần áo", 790_000, 3.0, True),
    ("APP-SHO", "Quần short chạy bộ", "Quần áo", 450_000, 4.0, True),
    ("APP-JKT", "Áo khoác gió Windbreaker", "Quần áo", 1_190_000, 2.0, True),
    ("ACC-SCK", "Vớ cổ ngắn (3 đôi)", "Phụ kiện", 129_000, 10.0, True),
    ("ACC-LAC", "Dây giày màu", "Phụ kiện", 49_000, 5.0, True),
    ("ACC-CLN", "Bộ vệ sinh giày", "Phụ kiện", 199_000, 5.0, True),
    ("ACC-CAP", "Mũ lưỡi trai", "Phụ kiện", 290_000, 4.0, True),
    ("ACC-BAG", "Balo thể thao", "Phụ kiện", 690_000, 2.0, True),
)
COLORWAYS: tuple[tuple[str, str], ...] = (
    ("BLK", "Đen"), ("WHT", "Trắng"), ("GRY", "Xám"), ("NVY", "Xanh navy"), ("RED", "Đỏ"),
    ("BEI", "Be"),
)
SHOE_CATEGORIES = frozenset({"Giày chạy bộ", "Giày thời trang", "Bóng rổ", "Trẻ em", "Dép"})
PAYMENT_METHODS: tuple[tuple[str, float], ...] = (
    ("cash", 30.0), ("card", 25.0), ("momo", 15.0), ("zalopay", 8.0), ("vnpay", 10.0),
    ("bank_transfer", 10.0), ("shopeepay", 2.0),
)

# --------------------------------------------------------------------------- marketing
#: Yearly campaign calendar: (month, day, code, name, promo_code or "").
CAMPAIGN_CALENDAR: tuple[tuple[int, int, str, str, str], ...] = (
    (1, 10, "tet", "Tết {y} – Lì xì đầu năm, giảm 20%", "TET{yy}"),
    (2, 14, "valentine", "Valentine – Quà tặng cho nửa kia", "LOVE{yy}"),
    (3, 8, "women", "8/3 – Tôn vinh phái đẹp", "WOMEN{yy}"),
    (4, 30, "holiday", "Đại lễ 30/4 – 1/5: Sale 30%", "HOLIDAY{yy}"),
    (6, 1, "kids", "Quốc tế Thiếu nhi – Giày trẻ em giảm 25%", "KIDS{yy}"),
    (7, 15, "summer", "Summer Run {y} – BST mới", ""),
    (8, 20, "back2school", "Back to School – Tựu trường", "B2S{yy}"),
    (9, 2, "national", "Lễ 2/9 – Freeship toàn quốc", ""),
    (9, 9, "99sale", "9.9 Siêu sale", "SALE99"),
    (10, 10, "1010sale", "10.10 Ngày hội giày", "SALE1010"),
    (10, 20, "vnwomen", "20/10 – Phụ nữ Việt Nam", "PNVN{yy}"),
    (11, 11, "1111sale", "11.11 Sale lớn nhất năm", "SALE1111"),
    (11, 27, "blackfriday", "Black Friday {y} – Giảm đến 50%", "BF{yy}"),
    (12, 12, "1212sale", "12.12 Sale cuối năm", "SALE1212"),
    (12, 20, "xmas", "Giáng sinh {y} – Quà tặng an lành", "XMAS{yy}"),
)
#: Recurring newsletters between the calendar campaigns.
NEWSLETTER_NAMES: tuple[str, ...] = (
    "Bản tin tuần – Hàng mới về", "Weekly drop: new colourways", "Mẹo chọn giày chạy bộ",
    "Ưu đãi thành viên tháng {m}", "Cộng đồng Sải Bước: giải chạy {m}/{y}",
)
UTM_SOURCES: tuple[tuple[str, str, float], ...] = (
    ("google", "cpc", 25.0), ("facebook", "social", 20.0), ("facebook", "cpc", 10.0),
    ("tiktok", "social", 10.0), ("zalo", "social", 6.0), ("instagram", "social", 6.0),
    ("newsletter", "email", 12.0), ("coccoc", "cpc", 2.0), ("shopee", "referral", 3.0),
    ("google", "organic", 6.0),
)

# --------------------------------------------------------------------------- social text
SOCIAL_POSITIVE_VI: tuple[str, ...] = (
    "Giày đẹp quá, đi êm chân lắm", "Mới mua đôi AirFlow, chạy 10km không đau chân",
    "Shop tư vấn nhiệt tình, sẽ ủng hộ tiếp", "Đóng gói cẩn thận, giao hàng nhanh",
    "Form chuẩn, mang vừa in", "Màu trắng ngoài đời đẹp hơn trong hình nữa",
    "Lần thứ 3 mua ở đây rồi, chất lượng ổn định", "Nhân viên cửa hàng Quận 1 dễ thương ghê",
    "giay dep qua shop oi", "Sale 11.11 săn được đôi ưng ý quá",
)
SOCIAL_NEGATIVE_VI: tuple[str, ...] = (
    "Giao hàng chậm quá, 1 tuần chưa nhận được", "Đế bị bong sau 2 tháng, thất vọng",
    "Đổi size mà phải chờ lâu quá", "Nhân viên trả lời tin nhắn chậm",
    "Giày hơi chật so với size chart", "Mua online khác màu so với hình",
    "giao sai size ma ko ai tra loi", "Giá cao mà chất lượng không tương xứng",
)
SOCIAL_NEUTRAL_VI: tuple[str, ...] = (
    "Size 42 còn không shop?", "Cửa hàng ở Đà Nẵng còn mẫu này không ạ?",
    "Bao giờ có đợt sale tiếp theo vậy shop?", "Ib em giá với ạ", "Có ship COD không shop?",
    "Đôi này có màu đen không ạ?", "Cho mình hỏi chính sách đổi trả",
)
SOCIAL_POSITIVE_EN: tuple[str, ...] = (
    "Love these! So comfy", "Best running shoes I've owned", "Great service at the store",
    "Fast delivery, perfect fit", "The new colourway is fire",
)
SOCIAL_NEGATIVE_EN: tuple[str, ...] = (
    "Sole came off after a month, disappointed", "Still waiting for my order",
    "Customer service never replied", "Runs small, order a size up",
)
SOCIAL_NEUTRAL_EN: tuple[str, ...] = (
    "Do you ship to Singapore?", "Is size 44 back in stock?", "When is the next sale?",
)
EMOJI_POSITIVE: tuple[str, ...] = ("😍", "🔥", "👍", "❤️", "🥰", "👟", "💯", "😊", "🙌")
EMOJI_NEGATIVE: tuple[str, ...] = ("😡", "😤", "👎", "😞", "🙁", "💢")
EMOJI_NEUTRAL: tuple[str, ...] = ("🤔", "🙏", "👀", "😅")
HASHTAGS: tuple[str, ...] = (
    "#saibuoc", "#sneaker", "#giaychaybo", "#running", "#sneakerhead", "#ootd",
    "#saigonrunners", "#review", "#1111sale", "#blackfriday",
)


# --------------------------------------------------------------------------- helpers
_SPECIAL_FOLD = str.maketrans({"đ": "d", "Đ": "D"})


def strip_diacritics(text: str) -> str:
    """``Nguyễn Thị Lan`` -> ``Nguyen Thi Lan`` (Vietnamese đ/Đ included)."""
    decomposed = unicodedata.normalize("NFD", text.translate(_SPECIAL_FOLD))
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")


def weights(pairs: tuple[tuple[str, float], ...]) -> tuple[list[str], list[float]]:
    """Split ``(value, weight)`` pairs into values and normalised probabilities."""
    values = [p[0] for p in pairs]
    total = sum(p[1] for p in pairs)
    return values, [p[1] / total for p in pairs]
