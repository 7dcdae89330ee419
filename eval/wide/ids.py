"""Identifiers as they are issued and written, built from the issuers' published rules.

Check digits come from python-stdnum (Luhn, IBAN, NHS mod 11), so a value labelled
valid is valid by a library that is not guardrail's. Ofcom's drama ranges are never
drawn: they are fictional by design and no reader would call them personal data.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import random
import string

from stdnum import iban as _iban
from stdnum import luhn
from stdnum.gb import nhs as _nhs

DIGITS = string.digits
PLATE_LETTERS = "ABCDEFGHJKLMNOPRSTUVWXY"  # no I, Q, Z in the random part
POSTCODE_AREAS = (
    "AB AL B BA BB BD BH BL BN BR BS BT CA CB CF CH CM CO CR CT CV CW DA DD DE DG DH DL DN "
    "DT DY E EC EH EN EX FK FY G GL GU HA HD HG HP HR HS HU HX IG IP IV KA KT KW KY L LA LD "
    "LE LL LN LS LU M ME MK ML N NE NG NN NP NR NW OL OX PA PE PH PL PO PR RG RH RM S SA SE "
    "SG SK SL SM SN SO SP SR SS ST SW SY TA TD TF TN TQ TR TS TW UB W WA WC WD WF WN WR WS "
    "WV YO ZE").split()
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]


class Ids:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def digits(self, n: int) -> str:
        return "".join(self.rng.choice(DIGITS) for _ in range(n))

    def letters(self, n: int, alphabet: str = string.ascii_uppercase) -> str:
        return "".join(self.rng.choice(alphabet) for _ in range(n))

    # -- NHS number ---------------------------------------------------------------
    def nhs(self, valid: bool = True) -> str:
        while True:
            body = self.rng.choice("4679") + self.digits(8)
            total = sum(int(d) * w for d, w in zip(body, range(10, 1, -1), strict=True))
            check = (11 - total % 11) % 11
            if check == 10:
                continue
            if not valid:
                check = (check + self.rng.randint(1, 9)) % 10
            number = body + str(check)
            if _nhs.is_valid(number) == valid:
                return number

    def nhs_written(self, number: str) -> str:
        r = self.rng.random()
        if r < 0.45:
            return f"{number[:3]} {number[3:6]} {number[6:]}"
        if r < 0.75:
            return number
        return f"{number[:3]}-{number[3:6]}-{number[6:]}"

    # -- NINO ---------------------------------------------------------------------
    def nino(self, valid: bool = True) -> str:
        first = "ABCEGHJKLMNOPRSTWXYZ"
        second = "ABCEGHJKLMNPRSTWXYZ"
        bad_pairs = {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}
        if valid:
            while True:
                prefix = self.rng.choice(first) + self.rng.choice(second)
                if prefix not in bad_pairs:
                    break
            suffix = self.rng.choice("ABCD")
        else:
            prefix = self.rng.choice(sorted(bad_pairs) + ["DA", "FQ", "QQ", "VU", "AO"])
            suffix = self.rng.choice("ABCD")
        d = self.digits(6)
        return self.rng.choice([
            f"{prefix}{d}{suffix}", f"{prefix} {d[:2]} {d[2:4]} {d[4:]} {suffix}",
            f"{prefix} {d[:3]} {d[3:]} {suffix}", f"{prefix}{d} {suffix}",
            f"{prefix.lower()}{d}{suffix.lower()}"])

    # -- vehicle registration -----------------------------------------------------
    def plate(self) -> str:
        kind = self.rng.choice(("current", "current", "prefix", "suffix"))
        if kind == "current":
            age = self.rng.choice([f"{y:02d}" for y in range(2, 25)]
                                  + [str(y) for y in range(51, 75)])
            area = self.rng.choice("ABCDEFGHKLMNOPRSVWY") + self.rng.choice(PLATE_LETTERS)
            left, right = area + age, self.letters(3, PLATE_LETTERS)
        elif kind == "prefix":
            left = self.rng.choice("ABCDEFGHJKLMNPRSTVWXY") + str(self.rng.randint(1, 999))
            right = self.letters(3, PLATE_LETTERS)
        else:
            left = self.letters(3, PLATE_LETTERS)
            right = str(self.rng.randint(1, 999)) + self.rng.choice("ABCDEFGHJKLMNPRSTVWXY")
        return f"{left} {right}" if self.rng.random() < 0.6 else left + right

    # -- phone ----------------------------------------------------------------------
    def phone(self) -> tuple[str, str]:
        """A UK number outside Ofcom's drama ranges, written one of the ways people do;
        and its range (01, 02, 03, 07, 0800...)."""
        kind = self.rng.choice(("01-4", "01-5", "02", "03", "07", "07", "07700", "080"))
        if kind == "01-4":
            area = self.rng.choice(["0113", "0114", "0115", "0116", "0117", "0118", "0121",
                                    "0131", "0141", "0151", "0161", "0191"])
            local = self.rng.choice("2345789") + self.digits(6)
            parts = [area, local[:3], local[3:]]
        elif kind == "01-5":
            area = "01" + self.rng.choice(["223", "244", "253", "270", "392", "452", "482",
                                           "603", "642", "752", "865", "904", "224", "382"])
            parts = [area, self.rng.choice("2345678") + self.digits(5)]
        elif kind == "02":
            area = self.rng.choice(["020", "023", "024", "028", "029"])
            first = {"020": "378", "023": "8", "024": "7", "028": "9", "029": "2"}[area]
            local = self.rng.choice(first) + self.digits(7)
            if area == "020" and local.startswith("7946"):
                local = "8" + local[1:]
            parts = [area, local[:4], local[4:]]
        elif kind == "03":
            parts = [self.rng.choice(["0300", "0303", "0330", "0333", "0345", "0370"]),
                     self.digits(3), self.digits(4)]
        elif kind == "07":
            prefix = self.rng.choice(["071", "073", "074", "075", "077", "078", "079"]) + \
                self.digits(2)
            parts = [prefix, self.digits(6)]
        elif kind == "07700":
            parts = ["07700", self.rng.choice("12345678") + self.digits(5)]  # not 900xxx
        else:
            prefix = self.rng.choice(["0800", "0808"])
            parts = [prefix, self.rng.choice("2345689") + self.digits(2), self.digits(4)] \
                if self.rng.random() < 0.7 else [prefix, self.digits(6)]
        national = "".join(parts)
        r = self.rng.random()
        if r < 0.45:
            text = " ".join(parts)
        elif r < 0.6:
            text = national
        elif r < 0.75:
            text = "+44 " + " ".join([parts[0][1:]] + parts[1:])
        elif r < 0.82:
            text = "+44 (0)" + " ".join([parts[0][1:]] + parts[1:])
        elif r < 0.88:
            text = "(" + parts[0] + ") " + " ".join(parts[1:])
        elif r < 0.94:
            text = "-".join(parts)
        else:
            text = "0044 " + national[1:]
        return text, kind

    # -- postcode, street, address ----------------------------------------------------
    def postcode(self) -> str:
        area = self.rng.choice(POSTCODE_AREAS)
        district = str(self.rng.randint(1, 9 if len(area) == 1 else 30))
        if area in ("EC", "WC", "W", "E", "N", "SW", "SE", "NW") and self.rng.random() < 0.2:
            district = str(self.rng.randint(1, 2)) + self.rng.choice("ABCDEHJKMNPRVWXY")
        code = f"{area}{district} {self.digits(1)}{self.letters(2, INWARD_LETTERS)}"
        r = self.rng.random()
        return code.replace(" ", "") if r < 0.12 else code.lower() if r < 0.2 else code

    # -- network ------------------------------------------------------------------------
    def ipv4(self) -> str:
        while True:
            address = ipaddress.IPv4Address(self.rng.getrandbits(32))
            if address.is_global:
                return str(address)

    def ipv6(self) -> tuple[str, str]:
        while True:
            address = ipaddress.IPv6Address((0x2 << 124) | self.rng.getrandbits(124))
            if address.is_global:
                break
        groups = address.exploded.split(":")
        if self.rng.random() < 0.5:  # a /64 with a small or zero host part
            groups[4:] = ["0", "0", "0", format(self.rng.randint(1, 0xFFFF), "x")]
        address = ipaddress.IPv6Address(":".join(groups))
        form = self.rng.choice(("compressed", "exploded", "no-leading-zeros", "upper",
                                "bracket-port", "mapped-v4", "zone", "cidr"))
        if form == "compressed":
            return address.compressed, form
        if form == "exploded":
            return address.exploded, form
        if form == "no-leading-zeros":
            return ":".join(format(int(g, 16), "x") for g in address.exploded.split(":")), form
        if form == "upper":
            return address.compressed.upper(), form
        if form == "bracket-port":
            return f"[{address.compressed}]:{self.rng.choice([443, 8080, 51413])}", form
        if form == "mapped-v4":
            return f"::ffff:{self.ipv4()}", form
        if form == "zone":
            host = format(self.rng.getrandbits(64), "x")
            link = ipaddress.IPv6Address(f"fe80::{host[:4]}:{host[4:8]}:{host[8:12]}:{host[12:]}")
            return f"{link.compressed}%{self.rng.choice(['eth0', 'wlan0', 'en0'])}", form
        return f"{address.compressed}/128", form

    # -- payment card -------------------------------------------------------------------
    SCHEMES = {  # scheme: (prefixes, lengths)
        "visa": (["4"], [16, 16, 13, 19]), "mastercard-5": (["51", "52", "53", "54", "55"], [16]),
        "mastercard-2": ([str(p) for p in range(2221, 2721, 37)], [16]),
        "amex": (["34", "37"], [15]), "maestro": (["5018", "5020", "5038", "5893", "6304",
                                                   "6759", "6761", "6762", "6763"],
                                                  [12, 13, 14, 15, 16, 17, 18, 19]),
        "dankort": (["5019"], [16]), "uatp": (["1"], [15]),
        "jcb": ([str(p) for p in range(3528, 3590, 7)], [16]), "jcb-15": (["1800", "2131"], [15]),
        "discover": (["6011", "644", "645", "649", "65"], [16]),
        "unionpay": (["62"], [16, 17, 18, 19]),
        "diners": (["300", "301", "305", "36", "38"], [14]),
    }

    def card(self, scheme: str | None = None, valid: bool = True) -> tuple[str, str]:
        scheme = scheme or self.rng.choice(list(self.SCHEMES))
        prefixes, lengths = self.SCHEMES[scheme]
        prefix, length = self.rng.choice(prefixes), self.rng.choice(lengths)
        body = prefix + self.digits(length - len(prefix) - 1)
        check = int(luhn.calc_check_digit(body))
        if not valid:
            check = (check + self.rng.randint(1, 9)) % 10
        number = body + str(check)
        assert luhn.is_valid(number) == valid
        r = self.rng.random()
        if scheme == "amex" and r < 0.6:
            return f"{number[:4]} {number[4:10]} {number[10:]}", scheme
        if scheme.startswith("diners") and r < 0.5:
            return f"{number[:4]} {number[4:10]} {number[10:]}", scheme
        if r < 0.5:
            return " ".join(number[i:i + 4] for i in range(0, len(number), 4)), scheme
        if r < 0.65:
            return "-".join(number[i:i + 4] for i in range(0, len(number), 4)), scheme
        return number, scheme

    # -- IBAN ---------------------------------------------------------------------------
    IBAN_BBAN = {"GB": lambda s: s.rng.choice(["NWBK", "BARC", "LOYD", "MIDL", "HBUK", "NAIA",
                                                "SRLG", "ABBY", "CLYD", "MONZ"]) + s.digits(14),
                 "IE": lambda s: s.rng.choice(["AIBK", "BOFI", "IPBS"]) + s.digits(14),
                 "DE": lambda s: s.digits(18), "FR": lambda s: s.digits(23),
                 "NL": lambda s: s.rng.choice(["ABNA", "INGB", "RABO"]) + s.digits(10),
                 "PL": lambda s: s.digits(24), "LT": lambda s: s.digits(16),
                 "RO": lambda s: s.rng.choice(["BTRL", "RNCB", "BRDE"]) + s.digits(16),
                 "PT": lambda s: s.digits(21), "IT": lambda s: "X" + s.digits(22)}

    def iban(self, country: str | None = None, valid: bool = True) -> tuple[str, str]:
        country = country or self.rng.choice(["GB"] * 6 + list(self.IBAN_BBAN))
        while True:
            bban = self.IBAN_BBAN[country](self)
            check = _iban.calc_check_digits(country + "00" + bban)
            if not valid:
                check = f"{(int(check) + self.rng.randint(1, 50)) % 97 + 2:02d}"
            number = country + check + bban
            if _iban.is_valid(number) == valid:
                break
        if self.rng.random() < 0.55:
            return " ".join(number[i:i + 4] for i in range(0, len(number), 4)), country
        return number, country

    # -- passport, driving licence ------------------------------------------------------
    def passport(self) -> str:
        return str(self.rng.randint(1, 9)) + self.digits(8)

    def driving_licence(self, surname: str, first: str, birth: dt.date, female: bool,
                        middle: str = "") -> str:
        """The DVLA number: surname (5, padded with 9s; Mac -> MC), decade, month (+50
        for women), day, year digit, two initials (9-padded), 9, two check letters."""
        letters = "".join(c for c in surname.upper() if c.isalpha() and c.isascii())
        if letters.startswith("MAC"):
            letters = "MC" + letters[3:]
        head = (letters[:5] + "99999")[:5]
        month = birth.month + (50 if female else 0)
        initials = ((first[:1] + middle[:1]).upper() + "99")[:2]
        number = (f"{head}{str(birth.year)[2]}{month:02d}{birth.day:02d}{str(birth.year)[3]}"
                  f"{initials}9{self.letters(2, 'ABCDEFGHJKLMNPRSTUVWXYZ')}")
        assert len(number) == 16, number
        r = self.rng.random()
        if r < 0.2:
            return f"{number[:5]} {number[5:11]} {number[11:]}"
        if r < 0.3:
            return f"{number} {self.rng.randint(1, 9):02d}"  # with the issue number
        return number

    # -- dates --------------------------------------------------------------------------
    def birth_date(self) -> dt.date:
        start = dt.date(1931, 1, 1).toordinal()
        return dt.date.fromordinal(self.rng.randint(start, dt.date(2009, 12, 31).toordinal()))

    def recent_date(self) -> dt.date:
        start = dt.date(2021, 1, 1).toordinal()
        return dt.date.fromordinal(self.rng.randint(start, dt.date(2026, 3, 31).toordinal()))

    def date_written(self, d: dt.date) -> tuple[str, str]:
        """*d* written one of the ways people write a date; and the form's name."""
        mon = MONTHS[d.month - 1]
        suffix = "th" if 11 <= d.day <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(d.day % 10, "th")
        forms = {
            "d month yyyy": f"{d.day} {mon} {d.year}",
            "dth of month yyyy": f"{d.day}{suffix} of {mon} {d.year}",
            "dd-mon-yyyy": f"{d.day:02d}-{mon[:3]}-{d.year}",
            "dd/mm/yyyy": f"{d.day:02d}/{d.month:02d}/{d.year}",
            "d/m/yy": f"{d.day}/{d.month}/{str(d.year)[2:]}",
            "mm/dd/yyyy (US)": f"{d.month:02d}/{d.day:02d}/{d.year}",
            "yyyy-mm-dd": d.isoformat(),
            "dd.mm.yyyy": f"{d.day:02d}.{d.month:02d}.{d.year}",
            "month d, yyyy": f"{mon} {d.day}, {d.year}",
        }
        form = self.rng.choice(list(forms))
        return forms[form], form

    def ean13(self) -> str:
        body = self.rng.choice(["50", "501", "502", "400", "978", "979"])
        body += self.digits(12 - len(body))
        total = sum(int(c) * (3 if i % 2 else 1) for i, c in enumerate(body))
        return body + str((10 - total % 10) % 10)
