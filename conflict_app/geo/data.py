"""Reference geography of the Persian leopard's range states.

Pure data: countries with their currency and main language, first-level divisions of the
demo countries with the metapopulation region of the strategy's Figure 1, a few districts,
and villages in leopard range with approximate coordinates (to about 0.05°).
"""

from __future__ import annotations

from decimal import Decimal

REGIONS = ("caucasus", "alborz_kopet_dagh", "zagros", "eastern_range")

COUNTRIES = (
    ("AF", "Afghanistan", "AFN", "fa_AF"),
    ("AM", "Armenia", "AMD", "hy"),
    ("AZ", "Azerbaijan", "AZN", "az"),
    ("GE", "Georgia", "GEL", "ka"),
    ("IQ", "Iraq", "IQD", "ar"),
    ("IR", "Iran", "IRR", "fa"),
    ("KZ", "Kazakhstan", "KZT", "kk"),
    ("PK", "Pakistan", "PKR", "ur"),
    ("RU", "Russia", "RUB", "ru"),
    ("TJ", "Tajikistan", "TJS", "tg"),
    ("TM", "Turkmenistan", "TMT", "tk"),
    ("TR", "Turkey", "TRY", "tr"),
    ("UZ", "Uzbekistan", "UZS", "uz"),
)

C, AK, Z, E = REGIONS
PROVINCES = {
    "AM": tuple((name, C) for name in (
        "Aragatsotn", "Ararat", "Armavir", "Gegharkunik", "Kotayk", "Lori", "Shirak",
        "Syunik", "Tavush", "Vayots Dzor", "Yerevan")),
    "GE": tuple((name, C) for name in (
        "Tbilisi", "Adjara", "Guria", "Imereti", "Kakheti", "Kvemo Kartli",
        "Mtskheta-Mtianeti", "Racha-Lechkhumi and Kvemo Svaneti", "Samegrelo-Zemo Svaneti",
        "Samtskhe-Javakheti", "Shida Kartli")),
    "AZ": tuple((name, C) for name in (
        "Baku", "Absheron-Khizi", "Ganja-Dashkasan", "Gazakh-Tovuz", "Guba-Khachmaz",
        "Karabakh", "Lankaran-Astara", "Mil-Mughan", "Mountainous Shirvan", "Nakhchivan",
        "Central Aran", "East Zangezur", "Shaki-Zaqatala", "Shirvan-Salyan")),
    "IR": (
        ("Ardabil", C), ("East Azerbaijan", C), ("West Azerbaijan", C), ("Zanjan", C),
        ("Gilan", AK), ("Mazandaran", AK), ("Golestan", AK), ("North Khorasan", AK),
        ("Razavi Khorasan", AK), ("Semnan", AK), ("Tehran", AK), ("Alborz", AK),
        ("Qazvin", AK), ("Kurdistan", Z), ("Kermanshah", Z), ("Ilam", Z), ("Lorestan", Z),
        ("Hamadan", Z), ("Markazi", Z), ("Chaharmahal and Bakhtiari", Z),
        ("Kohgiluyeh and Boyer-Ahmad", Z), ("Fars", Z), ("Khuzestan", Z), ("Isfahan", Z),
        ("Bushehr", Z), ("South Khorasan", E), ("Sistan and Baluchestan", E),
        ("Kerman", E), ("Hormozgan", E), ("Yazd", E), ("Qom", None),
    ),
    "TR": (
        ("Ardahan", C), ("Artvin", C), ("Kars", C), ("Erzurum", C), ("Ağrı", C),
        ("Iğdır", C), ("Van", Z), ("Hakkari", Z), ("Şırnak", Z), ("Siirt", Z),
        ("Bitlis", Z), ("Muş", Z), ("Bingöl", Z), ("Tunceli", Z), ("Diyarbakır", Z),
        ("Mardin", Z), ("Batman", Z),
    ),
}

DISTRICTS = {
    ("AM", "Syunik"): ("Kapan", "Goris", "Meghri", "Sisian"),
    ("AM", "Vayots Dzor"): ("Yeghegnadzor", "Vayk", "Jermuk"),
    ("GE", "Kakheti"): ("Dedoplistskaro", "Lagodekhi", "Telavi", "Sighnaghi"),
    ("IR", "Golestan"): ("Gorgan", "Kalaleh", "Maraveh Tappeh", "Gonbad-e Kavus",
                         "Minudasht"),
    ("IR", "Razavi Khorasan"): ("Kalat", "Dargaz", "Mashhad", "Chenaran"),
    ("IR", "Kermanshah"): ("Kermanshah", "Dalahu", "Paveh", "Sarpol-e Zahab"),
}

VILLAGES = (
    ("AM", "Syunik", "Meghri", "Shvanidzor", "38.9480", "46.3420", "Arevik National Park"),
    ("AM", "Syunik", "Meghri", "Nrnadzor", "38.9900", "46.3300", "Arevik National Park"),
    ("AM", "Syunik", "Meghri", "Lichk", "38.9500", "46.2000", None),
    ("AM", "Syunik", "Meghri", "Agarak", "38.8700", "46.1800", None),
    ("AM", "Syunik", "Kapan", "Shikahogh", "39.1000", "46.4800", "Shikahogh State Reserve"),
    ("AM", "Syunik", "Kapan", "Tsav", "39.0500", "46.4600", "Shikahogh State Reserve"),
    ("AM", "Syunik", "Kapan", "Nerkin Hand", "39.0800", "46.4600", None),
    ("AM", "Syunik", "Goris", "Tatev", "39.3800", "46.2500", None),
    ("AM", "Vayots Dzor", "Vayk", "Herher", "39.7000", "45.4600", None),
    ("AM", "Vayots Dzor", "Jermuk", "Gndevaz", "39.7600", "45.6100", None),
    ("AM", "Vayots Dzor", "Yeghegnadzor", "Gnishik", "39.7100", "45.2900", None),
    ("GE", "Kakheti", "Dedoplistskaro", "Samreklo", "41.3700", "46.1300",
     "Vashlovani National Park"),
    ("GE", "Kakheti", "Dedoplistskaro", "Zemo Kedi", "41.4300", "46.1800", None),
    ("GE", "Kakheti", "Lagodekhi", "Kabali", "41.7800", "46.0800", None),
    ("IR", "Golestan", "Kalaleh", "Tangrah", "37.3900", "55.7500", "Golestan National Park"),
    ("IR", "Golestan", "Maraveh Tappeh", "Maraveh Tappeh", "37.9000", "55.9500", None),
    ("IR", "Golestan", "Minudasht", "Dasht", "37.3000", "55.9500", None),
    ("IR", "Razavi Khorasan", "Kalat", "Kalat", "36.9900", "59.7600",
     "Tandoureh National Park"),
    ("IR", "Razavi Khorasan", "Dargaz", "Chapeshlu", "37.3500", "59.0500", None),
    ("IR", "Kermanshah", "Dalahu", "Kerend-e Gharb", "34.2800", "46.2400", None),
    ("IR", "Kermanshah", "Paveh", "Nowsud", "35.1600", "46.2000", None),
)

# Names in the country's own language and script (what a herder reading that language
# calls the place); the English names above stay the stable reference of imports, exports
# and the API. Turkish names are already written as in Turkish.
LOCAL_NAMES = {
    "AM": {
        "Aragatsotn": "Արագածոտն", "Ararat": "Արարատ", "Armavir": "Արմավիր",
        "Gegharkunik": "Գեղարքունիք", "Kotayk": "Կոտայք", "Lori": "Լոռի", "Shirak": "Շիրակ",
        "Syunik": "Սյունիք", "Tavush": "Տավուշ", "Vayots Dzor": "Վայոց ձոր",
        "Yerevan": "Երևան", "Kapan": "Կապան", "Goris": "Գորիս", "Meghri": "Մեղրի",
        "Sisian": "Սիսիան", "Yeghegnadzor": "Եղեգնաձոր", "Vayk": "Վայք", "Jermuk": "Ջերմուկ",
        "Shvanidzor": "Շվանիձոր", "Nrnadzor": "Նռնաձոր", "Lichk": "Լիճք",
        "Agarak": "Ագարակ", "Shikahogh": "Շիկահող", "Tsav": "Ծավ",
        "Nerkin Hand": "Ներքին Հանդ", "Tatev": "Տաթև", "Herher": "Հերհեր",
        "Gndevaz": "Գնդեվազ", "Gnishik": "Գնիշիկ",
    },
    "GE": {
        "Tbilisi": "თბილისი", "Adjara": "აჭარა", "Guria": "გურია", "Imereti": "იმერეთი",
        "Kakheti": "კახეთი", "Kvemo Kartli": "ქვემო ქართლი",
        "Mtskheta-Mtianeti": "მცხეთა-მთიანეთი",
        "Racha-Lechkhumi and Kvemo Svaneti": "რაჭა-ლეჩხუმი და ქვემო სვანეთი",
        "Samegrelo-Zemo Svaneti": "სამეგრელო-ზემო სვანეთი",
        "Samtskhe-Javakheti": "სამცხე-ჯავახეთი", "Shida Kartli": "შიდა ქართლი",
        "Dedoplistskaro": "დედოფლისწყარო", "Lagodekhi": "ლაგოდეხი", "Telavi": "თელავი",
        "Sighnaghi": "სიღნაღი", "Samreklo": "სამრეკლო", "Zemo Kedi": "ზემო ქედი",
        "Kabali": "ყაბალი",
    },
    "AZ": {
        "Baku": "Bakı", "Absheron-Khizi": "Abşeron-Xızı", "Ganja-Dashkasan": "Gəncə-Daşkəsən",
        "Gazakh-Tovuz": "Qazax-Tovuz", "Guba-Khachmaz": "Quba-Xaçmaz", "Karabakh": "Qarabağ",
        "Lankaran-Astara": "Lənkəran-Astara", "Mil-Mughan": "Mil-Muğan",
        "Mountainous Shirvan": "Dağlıq Şirvan", "Nakhchivan": "Naxçıvan",
        "Central Aran": "Mərkəzi Aran", "East Zangezur": "Şərqi Zəngəzur",
        "Shaki-Zaqatala": "Şəki-Zaqatala", "Shirvan-Salyan": "Şirvan-Salyan",
    },
    "IR": {
        "Ardabil": "اردبیل", "East Azerbaijan": "آذربایجان شرقی",
        "West Azerbaijan": "آذربایجان غربی", "Zanjan": "زنجان", "Gilan": "گیلان",
        "Mazandaran": "مازندران", "Golestan": "گلستان", "North Khorasan": "خراسان شمالی",
        "Razavi Khorasan": "خراسان رضوی", "Semnan": "سمنان", "Tehran": "تهران",
        "Alborz": "البرز", "Qazvin": "قزوین", "Kurdistan": "کردستان",
        "Kermanshah": "کرمانشاه", "Ilam": "ایلام", "Lorestan": "لرستان", "Hamadan": "همدان",
        "Markazi": "مرکزی", "Chaharmahal and Bakhtiari": "چهارمحال و بختیاری",
        "Kohgiluyeh and Boyer-Ahmad": "کهگیلویه و بویراحمد", "Fars": "فارس",
        "Khuzestan": "خوزستان", "Isfahan": "اصفهان", "Bushehr": "بوشهر",
        "South Khorasan": "خراسان جنوبی", "Sistan and Baluchestan": "سیستان و بلوچستان",
        "Kerman": "کرمان", "Hormozgan": "هرمزگان", "Yazd": "یزد", "Qom": "قم",
        "Gorgan": "گرگان", "Kalaleh": "کلاله", "Maraveh Tappeh": "مراوه‌تپه",
        "Gonbad-e Kavus": "گنبد کاووس", "Minudasht": "مینودشت", "Kalat": "کلات",
        "Dargaz": "درگز", "Mashhad": "مشهد", "Chenaran": "چناران", "Dalahu": "دالاهو",
        "Paveh": "پاوه", "Sarpol-e Zahab": "سرپل ذهاب", "Tangrah": "تنگراه", "Dasht": "دشت",
        "Chapeshlu": "چاپشلو", "Kerend-e Gharb": "کرند غرب", "Nowsud": "نوسود",
    },
}
# Who reads a country's own names: its main language and its kin (Dari reads Persian).
READERS = {"AM": {"hy"}, "GE": {"ka"}, "AZ": {"az"}, "IR": {"fa", "fa_AF"}, "TR": {"tr"},
           "AF": {"fa_AF", "ps", "fa"}, "IQ": {"ar", "ckb"}, "PK": {"ur"}, "RU": {"ru"},
           "KZ": {"kk"}, "TJ": {"tg"}, "TM": {"tk"}, "UZ": {"uz"}}


def validate() -> None:
    """Raise ValueError when the tables disagree with each other."""
    countries = {code for code, *_ in COUNTRIES}
    for country, provinces in PROVINCES.items():
        if country not in countries:
            raise ValueError(f"unknown country {country}")
        names = [name for name, _ in provinces]
        if len(set(names)) != len(names):
            raise ValueError(f"duplicate province in {country}")
        for _, region in provinces:
            if region is not None and region not in REGIONS:
                raise ValueError(f"unknown region {region}")
    for (country, province), districts in DISTRICTS.items():
        if province not in {name for name, _ in PROVINCES.get(country, ())}:
            raise ValueError(f"district parent {country}/{province} missing")
        if len(set(districts)) != len(districts):
            raise ValueError(f"duplicate district in {province}")
    seen = set()
    for country, province, district, name, lat, lon, _area in VILLAGES:
        if district is not None and district not in DISTRICTS.get((country, province), ()):
            raise ValueError(f"village {name}: district {district} missing")
        if not -90 <= Decimal(lat) <= 90 or not -180 <= Decimal(lon) <= 180:
            raise ValueError(f"village {name}: coordinates out of range")
        key = (country, province, district, name)
        if key in seen:
            raise ValueError(f"duplicate village {name}")
        seen.add(key)
    places = ({n for _c, provinces in PROVINCES.items() for n, _r in provinces}
              | {d for ds in DISTRICTS.values() for d in ds} | {v[3] for v in VILLAGES})
    for country, local in LOCAL_NAMES.items():
        for name in local:
            if name not in places:
                raise ValueError(f"local name of unknown place {country}/{name}")
