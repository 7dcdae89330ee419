"""Does format detection tell a delimited table from prose? Confusion figures.

    pip install -e '.[eval]'          # Faker
    python eval/sniffing.py           # figures per kind of payload
    python eval/sniffing.py --seed 7 --count 300 --show-errors 5
    python eval/sniffing.py --count 0 --prose letters/ --tables exports/   # your files

Generates, from a seed, prose that has commas (Faker sentences in 14 locales with
clause commas, Chinese typed with ASCII commas, letters to a council officer,
emails, phone notes, minutes, verse, dialogue, one long line, a sentence per line
with exactly one or two commas, short notes, address blocks, Python log lines
whose "10:00:01,123" has a comma, and CPython's own docstrings: real prose nobody
in this project wrote) and tables (CSV with every
quoting style, semicolon and pipe delimiters, Excel tab-separated text in UTF-8 and
UTF-16, one column, header only, no header, ragged rows, long quoted free text with
commas and line breaks, survey exports with questions as headers, hand-typed
``a, b`` rows, a pandas index column, an empty column A, ragged rows under a
phrase as a label).

Each payload goes through the real detection hook twice: named ``x.txt`` (plain
text unless a structured format claims the content) and with no name (``<bytes>``,
content only). Prose read as ``csv`` or ``tsv`` is an error; so is a table that is
not read as its own format. Output depends on the seed, Faker's data and (for the
docstrings) the Python version.
"""

from __future__ import annotations

import argparse
import csv
import importlib
import inspect
import io
import random
import re
import sys
import textwrap
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path

from guardrail import Payload
from guardrail.host.registry import load_registry

try:
    from faker import Faker
except ModuleNotFoundError:  # pragma: no cover - a message, not a traceback
    sys.exit("eval/sniffing.py needs Faker: pip install -e '.[eval]'")

SEED = 20260409
TABLES = ("csv", "tsv")
LOCALES = ("en_GB", "en_US", "de_DE", "fr_FR", "es_ES", "it_IT", "nl_NL", "pl_PL",
           "pt_PT", "sv_SE", "cs_CZ", "tr_TR", "ru_RU", "el_GR")
OTHER_LOCALES = ("zh_CN",)  # prose of its own kind, not mixed into the others
# Modules whose docstrings are long English prose (CPython's own text).
DOC_MODULES = ("argparse", "asyncio", "calendar", "collections", "csv", "datetime",
               "decimal", "difflib", "email.message", "fractions", "ftplib", "heapq",
               "http.client", "imaplib", "inspect", "json", "logging", "mailbox", "os",
               "pathlib", "pickle", "random", "re", "shutil", "smtplib", "socket",
               "sqlite3", "statistics", "string", "subprocess", "tarfile", "tempfile",
               "textwrap", "threading", "traceback", "typing", "unittest", "urllib.request",
               "uuid", "zipfile")


class Sources:
    """Seeded generators of the pieces payloads are made of."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.fakes = {loc: Faker(loc) for loc in LOCALES + OTHER_LOCALES}
        for i, fake in enumerate(self.fakes.values()):
            fake.seed_instance(seed + i)
        self.uk = self.fakes["en_GB"]
        self.docs = _doc_paragraphs()

    def fake(self) -> Faker:
        return self.fakes[self.rng.choice(LOCALES)]

    def clause_commas(self, sentence: str, rate: float) -> str:
        """Commas after some words, as clauses and lists put them."""
        words = sentence.split()
        out = [w + "," if i < len(words) - 1 and self.rng.random() < rate else w
               for i, w in enumerate(words)]
        return " ".join(out)

    def lorem(self, fake: Faker) -> str:
        sentence = fake.sentence(nb_words=self.rng.randint(5, 22))
        return self.clause_commas(sentence, self.rng.choice((0.05, 0.1, 0.2)))

    def fill(self, template: str) -> str:
        uk, rng = self.uk, self.rng
        date = uk.date_between("-2y", "today")
        values = {
            "title": rng.choice(("Mr", "Mrs", "Ms", "Dr", "Miss", "Councillor")),
            "first": uk.first_name(), "last": uk.last_name(), "name": uk.name(),
            "name2": uk.name(), "street": uk.street_name(), "n": rng.randint(2, 140),
            "town": uk.city(), "postcode": uk.postcode(), "phone": uk.phone_number(),
            "email": uk.email(), "date": date.strftime("%-d %B %Y"),
            "weekday": date.strftime("%A"), "month": date.strftime("%B"),
            "time": f"{rng.randint(8, 18)}:{rng.choice(('00', '15', '30', '45'))}",
            "amount": f"{rng.randint(1000, 250000):,}",
            "role": rng.choice(ROLES), "topic": rng.choice(TOPICS),
            "org": rng.choice(("residents' association", "planning committee",
                               "parish council", "tenants' forum", "safety group")),
        }
        return template.format(**values)


ROLES = ("ward officer", "housing officer", "caseworker", "environmental health officer",
         "team leader", "councillor", "receptionist", "engineer")
TOPICS = ("the bins", "the street lights", "noise from the flat upstairs", "parking",
          "the planning application", "my council tax bill", "fly-tipping behind the shops",
          "the pothole outside my house", "damp in the bedroom", "the broken fence")
SALUTATIONS = ("Dear {title} {last},", "Dear Sir or Madam,", "Hello {first},", "Hi {first},",
               "To whom it may concern,", "{first},", "Dear {first}")
LETTER = (
    "Thank you for your letter of {date}, which arrived on {weekday}.",
    "I am writing about {topic}, which has been a problem since {month}.",
    "My neighbour, {name}, has complained to you several times.",
    "On {weekday} {date}, nobody came to {n} {street}.",
    "As you know, the gate outside number {n} is broken.",
    "I spoke to {name}, the {role}, and she said it would be fixed.",
    "However, nothing has changed.",
    "If you need anything else, please call me on {phone}.",
    "Please reply to {email}, or write to me at {n} {street}, {town} {postcode}.",
    "I have lived here for {n} years and I have never seen it this bad.",
    "Could you please ask someone to look at it before {weekday}?",
    "We would be grateful if, in future, you could give us more notice.",
    "The {role} visited on {date} but did not leave a card.",
    "Frankly, I am disappointed.",
    "I enclose photos, a copy of the tenancy agreement and my neighbour's statement.",
    "{name} from number {n} says the same thing happened to her last year.",
    "Mrs {last}, who is 87, cannot get her wheelie bin down the steps.",
    "The invoice came to £{amount}, which is more than the quote.",
    "We have paid £{amount} since {month} and nothing has been done.",
)
SIGN_OFFS = ("Yours sincerely,", "Yours faithfully,", "Kind regards,", "Best wishes,",
             "Thanks,", "Regards", "Many thanks")
NOTES = (
    "Called {name} at {time}, no answer.",
    "Left a message, will try again tomorrow.",
    "{name} rang back, repair booked for {weekday}.",
    "Spoke to {first} at the depot, bins to be collected {weekday}.",
    "Visited {n} {street}, nobody in.",
    "Card left, asked them to ring {phone}.",
    "Emailed {email}, waiting for a reply.",
    "Passed to {name}, the {role}.",
    "Note from {title} {last} about {topic}",
    "Resident says the problem started in {month}, not before.",
    "Chased again, still no date.",
)
SHORT = (
    "Hi {first}, thanks for the call", "Speak soon, {first}", "Thanks, {first}",
    "{first}, can you ring {name} back", "Bins not collected again, third week running",
    "Please sort it, {first}", "Cheers, {first}", "Meeting moved to {weekday}, {time}",
    "Keys are with {name}, flat {n}", "Running late, there in ten",
    "Called {title} {last}, no answer", "See you {weekday}, {first}",
    "Paid £{amount}, receipt attached", "Back on {weekday}, {date}",
)


def _doc_paragraphs() -> list[str]:
    """Prose paragraphs with a comma from CPython docstrings (no code, no tables)."""
    found: list[str] = []
    for module_name in DOC_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        objects = [module, *(v for _, v in sorted(vars(module).items())
                              if inspect.isclass(v) or inspect.isfunction(v))]
        for obj in objects:
            for para in (inspect.getdoc(obj) or "").split("\n\n"):
                lines = para.splitlines()
                if "," in para and len(para) > 80 and not any(
                        line.startswith((" ", ">>>", "-", "*", "|", "+")) for line in lines):
                    found.append(para)
    return sorted(set(found))


# -- prose ---------------------------------------------------------------------------------

def layout(src: Sources, paragraphs: list[list[str]]) -> str:
    """Sentences laid out as people and programs write them."""
    style = src.rng.choice(("paragraph", "wrapped", "sentence", "paragraph-gap"))
    if style == "sentence":
        return "\n".join(s for para in paragraphs for s in para) + "\n"
    joined = [" ".join(para) for para in paragraphs]
    if style == "wrapped":
        width = src.rng.randint(50, 80)
        return "\n\n".join(textwrap.fill(p, width) for p in joined) + "\n"
    return ("\n\n" if style == "paragraph-gap" else "\n").join(joined) + "\n"


def faker_prose(src: Sources) -> str:
    fake = src.fake()
    return layout(src, [[src.lorem(fake) for _ in range(src.rng.randint(1, 5))]
                        for _ in range(src.rng.randint(1, 4))])


def chinese(src: Sources) -> str:
    """Chinese typed with ASCII commas and no spaces: no space says "punctuation"."""
    fake = src.fakes["zh_CN"]
    sentences = []
    for _ in range(src.rng.randint(2, 10)):
        words = [fake.word() for _ in range(src.rng.randint(4, 14))]
        for cut in src.rng.sample(range(1, len(words)), src.rng.randint(1, 3)):
            words[cut] = "," + words[cut]
        sentences.append("".join(words) + src.rng.choice(("。", "。", "！", "？", "")))
    joiner = src.rng.choice(("\n", "", "\n\n"))
    return joiner.join(sentences) + "\n"


def log_lines(src: Sources) -> str:
    """Python's logging format: the comma in "10:00:01,123" is the seconds' decimal sign."""
    start = src.uk.date_time_between("-1y", "now")
    lines = []
    for i in range(src.rng.randint(2, 30)):
        level = src.rng.choice(("INFO", "INFO", "DEBUG", "WARNING", "ERROR"))
        message = src.fill(src.rng.choice(NOTES)) if src.rng.random() < 0.5 else \
            src.uk.sentence().rstrip(".")
        sep = src.rng.choice((" ", " - ", " "))
        stamp = f"{start:%Y-%m-%d %H:%M}:{i % 60:02d},{src.rng.randint(0, 999):03d}"
        lines.append(f"{stamp}{sep}{level}{sep}{message}")
    return "\n".join(lines) + "\n"


def letter(src: Sources) -> str:
    rng = src.rng
    body = [[src.fill(rng.choice(LETTER)) for _ in range(rng.randint(1, 4))]
            for _ in range(rng.randint(1, 4))]
    text = src.fill(rng.choice(SALUTATIONS)) + "\n\n" + layout(src, body)
    if rng.random() < 0.8:
        text += "\n" + rng.choice(SIGN_OFFS) + "\n" + src.fill("{name}") + "\n"
    if rng.random() < 0.3:
        text += src.fill("{n} {street}, {town}\n{postcode}\n")
    return text


def note(src: Sources) -> str:
    lines = [src.fill(line) for line in src.rng.sample(NOTES, src.rng.randint(2, 6))]
    return "\n".join(lines) + "\n"


def minutes(src: Sources) -> str:
    rng, uk = src.rng, src.uk
    names = ", ".join(uk.name() for _ in range(rng.randint(2, 7)))
    text = src.fill("Minutes of the {org} meeting, {weekday} {date}\n")
    text += f"Present: {names}\nApologies: {uk.name()}, {uk.name()}\n\n"
    for i in range(1, rng.randint(2, 6)):
        text += f"{i}. {uk.catch_phrase()}: {src.fill(rng.choice(LETTER))}\n"
    text += src.fill("Actions: {name} to write to the {role}, by {weekday}.\n")
    return text + src.fill("Next meeting: {weekday}, {date}, at {time}.\n")


def verse(src: Sources) -> str:
    fake, lines = src.fake(), []
    for _ in range(src.rng.randint(3, 12)):
        line = fake.sentence(nb_words=src.rng.randint(3, 7)).rstrip(".")
        lines.append(line + src.rng.choice((",", ",", ",", ".", ";", "")))
    return "\n".join(lines) + "\n"


def one_line(src: Sources) -> str:
    fake = src.fake()
    text = " ".join(src.lorem(fake) for _ in range(src.rng.randint(2, 8)))
    return text + src.rng.choice(("", "\n"))


def same_commas(src: Sources, commas: int) -> str:
    """Each line a sentence with exactly *commas* commas: the same field count on every
    line, the hardest prose for a sniffer that counts delimiters."""
    pool = [s for s in (src.fill(t) for t in LETTER + NOTES + SHORT)
            if s.count(",") == commas]
    lines = []
    for _ in range(src.rng.randint(2, 8)):
        if pool and src.rng.random() < 0.5:
            lines.append(src.rng.choice(pool))
            continue
        words = src.fake().sentence(nb_words=src.rng.randint(commas + 4, 18)).split()
        for cut in sorted(src.rng.sample(range(len(words) - 1), commas)):
            words[cut] += ","
        lines.append(" ".join(words).rstrip(".") if src.rng.random() < 0.3 else " ".join(words))
    return "\n".join(lines) + "\n"


def short_note(src: Sources) -> str:
    """Two or three short lines, a comma in each, often no full stop."""
    lines = src.rng.sample(SHORT, src.rng.randint(2, 3))
    return "\n".join(src.fill(line) for line in lines) + "\n"


def email(src: Sources) -> str:
    head = src.fill("From: {name} <{email}>\nSent: {weekday}, {date} {time}\n"
                    "To: {name2}\nSubject: Re: {topic}\n\n")
    quoted = "".join("> " + line + "\n" for line in textwrap.wrap(
        " ".join(src.fill(t) for t in src.rng.sample(LETTER, 3)), 70))
    return head + letter(src) + "\n" + src.fill("On {date}, {name2} wrote:\n") + quoted


def dialogue(src: Sources) -> str:
    lines = []
    for _ in range(src.rng.randint(2, 8)):
        first, second = (src.fill(src.rng.choice(LETTER)) for _ in range(2))
        said = src.fill(src.rng.choice(('said {first}', 'she said', '{title} {last} replied')))
        lines.append(f'"{first.rstrip(".")}," {said}, "{second}"')
    return "\n".join(lines) + "\n"


def address_block(src: Sources) -> str:
    """Signature and address blocks: short lines, some with a comma."""
    forms = ("{name}\n{n} {street}, {town}\n{postcode}\n",
             "{title} {last}, {n} {street}\n{town}, {postcode}\n",
             "{name}, {role}\n{town} Council, {n} {street}\n{town} {postcode}\nTel: {phone}\n",
             "Kind regards,\n{name}\n{role}, {town} Council\n{phone}, {email}\n")
    return src.fill(src.rng.choice(forms))


def docstrings(src: Sources) -> str:
    start = src.rng.randrange(len(src.docs))
    paras = src.docs[start:start + src.rng.randint(1, 3)]
    style = src.rng.choice(("as written", "paragraph", "sentence"))
    if style == "as written":
        return "\n\n".join(paras) + "\n"
    flat = [" ".join(p.split()) for p in paras]
    if style == "paragraph":
        return "\n".join(flat) + "\n"
    return "\n".join(s for p in flat for s in re.split(r"(?<=[.!?])\s+", p)) + "\n"


PROSE: dict[str, Callable[[Sources], str]] = {
    "Faker sentences, 14 locales": faker_prose, "letters": letter, "emails": email,
    "phone notes": note, "minutes": minutes, "verse": verse, "dialogue": dialogue,
    "one long line": one_line, "CPython docstrings": docstrings,
    "Chinese, ASCII commas": chinese, "log lines, Python logging": log_lines,
    "one comma on every line": lambda src: same_commas(src, 1),
    "two commas on every line": lambda src: same_commas(src, 2),
    "short notes, 2-3 lines": short_note, "signature and address blocks": address_block,
}


# -- tables --------------------------------------------------------------------------------

def _columns(src: Sources, fake: Faker) -> list[tuple[str, Callable[[], str]]]:
    rng = src.rng
    pool: list[tuple[tuple[str, ...], Callable[[], str]]] = [
        (("id", "ID", "Ref", "case_id", "Case reference"), lambda: str(rng.randint(1, 99999))),
        (("name", "Name", "full_name", "Resident", "Customer name"), fake.name),
        (("address", "Address", "Street address"), lambda: fake.address().replace("\n", ", ")),
        (("postcode", "Postcode", "zip"), fake.postcode),
        (("phone", "Telephone", "mobile"), fake.phone_number),
        (("email", "Email address"), fake.email),
        (("date", "Date received", "created_at"), lambda: fake.date()),
        (("amount", "Amount (£)", "total"), lambda: f"{rng.uniform(0, 9999):.2f}"),
        (("ward", "City", "town"), fake.city),
        (("category", "Type"), lambda: rng.choice(("Noise", "Fly-tipping", "Parking", "Bins"))),
        (("status", "Status"), lambda: rng.choice(("open", "closed", "pending", ""))),
        (("count", "n", "Number of visits"), lambda: str(rng.randint(0, 40))),
        (("comment", "Notes", "Description", "Details of complaint"),
         lambda: " ".join(src.lorem(fake) for _ in range(rng.randint(1, 3)))),
        (("company", "Employer"), fake.company),
        (("job", "Occupation"), fake.job),
        (("title", "Book"), fake.catch_phrase),
        (("latitude", "lat"), lambda: str(fake.latitude())),
        (("flag", "Consent given"), lambda: rng.choice(("Y", "N", "yes", "no", "TRUE"))),
    ]
    chosen = rng.sample(pool, rng.randint(2, min(len(pool), 12)))
    return [(rng.choice(headers), make) for headers, make in chosen]


SURVEY = ("Timestamp", "How satisfied were you with the service?",
          "Would you recommend us to a friend?", "What could we do better",
          "How did you hear about us?", "Any other comments", "Your age group",
          "Which ward do you live in?")


def _write(rows: list[list[str]], delimiter: str, quoting: int = csv.QUOTE_MINIMAL,
           crlf: bool = False) -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, quoting=quoting,
               lineterminator="\r\n" if crlf else "\n").writerows(rows)
    return out.getvalue()


def _table(src: Sources, rows_range: tuple[int, int] = (1, 60),
           columns: list[tuple[str, Callable[[], str]]] | None = None) -> list[list[str]]:
    columns = columns or _columns(src, src.fake())
    n = src.rng.randint(*rows_range)
    return [[h for h, _ in columns]] + [[make() for _, make in columns] for _ in range(n)]


def t_csv(src: Sources) -> str:
    return _write(_table(src), ",", crlf=src.rng.random() < 0.4)


def t_quote_all(src: Sources) -> str:
    quoting = src.rng.choice((csv.QUOTE_ALL, csv.QUOTE_NONNUMERIC))
    return _write(_table(src), ",", quoting)


def t_semicolon(src: Sources) -> str:
    rows = _table(src)
    rows = [[re.sub(r"^(\d+)\.(\d+)$", r"\1,\2", c) for c in row] for row in rows]
    return _write(rows, ";", crlf=src.rng.random() < 0.5)


def t_pipe(src: Sources) -> str:
    return _write(_table(src), "|")


def t_excel_tab(src: Sources) -> str:
    return _write(_table(src), "\t", crlf=True)


def t_unicode_text(src: Sources) -> bytes:
    """Excel's "Unicode Text": UTF-16 with a BOM, tab-separated."""
    return _write(_table(src), "\t", crlf=True).encode("utf-16")


def t_one_column(src: Sources) -> str:
    fake = src.fake()
    column = src.rng.choice((("name", fake.name), ("email", fake.email),
                             ("Notes", lambda: src.lorem(fake))))
    return _write(_table(src, columns=[column]), ",")


def t_header_only(src: Sources) -> str:
    return _write(_table(src, (0, 0)), src.rng.choice((",", ",", ";")))


def t_long_text(src: Sources) -> str:
    """Free-text cells with commas, quoted, some spanning lines."""
    fake, rng = src.fake(), src.rng

    def story() -> str:
        paras = [" ".join(src.lorem(fake) for _ in range(rng.randint(2, 6)))
                 for _ in range(rng.randint(1, 3))]
        return "\n".join(paras) if rng.random() < 0.4 else " ".join(paras)

    columns = [("id", lambda: str(rng.randint(1, 9999))), ("date", lambda: fake.date()),
               (rng.choice(("comment", "Description", "What happened?")), story)]
    return _write(_table(src, (1, 30), columns[rng.randint(0, 1):]), ",")


def t_ragged(src: Sources) -> str:
    """Empty cells at the end of a row left out, as hand-edited files and some exports
    (Debian's distro-info) do: the last columns are often empty."""
    rows = _table(src)
    sparse = src.rng.randint(1, max(1, len(rows[0]) // 2))
    for row in rows[1:]:
        for i in range(len(row) - sparse, len(row)):
            if src.rng.random() < 0.7:
                row[i] = ""
        while len(row) > 1 and not row[-1]:
            row.pop()
    return _write(rows, ",")


def t_no_header(src: Sources) -> str:
    return _write(_table(src, (2, 40))[1:], src.rng.choice((",", ",", ";")))


def t_survey(src: Sources) -> str:
    rng = src.rng
    questions = rng.sample(SURVEY, rng.randint(3, len(SURVEY)))
    answers = ("Very satisfied", "Satisfied", "Neither", "Dissatisfied", "Yes", "No",
               "Friend", "Website", "Leaflet", "25-34", "65+", "")
    rows = [questions] + [[rng.choice(answers) if rng.random() < 0.8 else src.lorem(src.fake())
                           for _ in questions] for _ in range(rng.randint(1, 40))]
    return _write(rows, ",")


def t_spaced(src: Sources) -> str:
    """Typed by hand: ``Name, Ward, Visits`` with a space after each comma, no quoting."""
    rows = [[c.replace(",", "") for c in row] for row in _table(src, (1, 20))]
    return "\n".join(", ".join(row) for row in rows) + "\n"


def t_blank_first(src: Sources) -> str:
    """Written by a program with column A left empty: every line starts with a comma."""
    return _write([[""] + row for row in _table(src)], ",")


def t_ragged_label(src: Sources) -> str:
    """Ragged rows (see :func:`t_ragged`) under a header with a question or phrase as
    one of its labels."""
    rows = _table(src)
    rows[0][src.rng.randrange(len(rows[0]))] = src.rng.choice(SURVEY[1:] + (
        "Surname of the person who called us", "Date the complaint was first received"))
    sparse = src.rng.randint(1, max(1, len(rows[0]) // 2))
    for row in rows[1:]:
        for i in range(len(row) - sparse, len(row)):
            if src.rng.random() < 0.7:
                row[i] = ""
        while len(row) > 1 and not row[-1]:
            row.pop()
    return _write(rows, ",")


def t_index(src: Sources) -> str:
    """pandas ``to_csv()`` with its index: the first header cell is empty."""
    rows = _table(src)
    return _write([[""] + rows[0]] + [[str(i)] + row for i, row in enumerate(rows[1:])], ",")


TABLE: dict[str, tuple[str, Callable[[Sources], str | bytes]]] = {
    "CSV, minimal quoting": ("csv", t_csv), "CSV, all quoted": ("csv", t_quote_all),
    "semicolon, decimal commas": ("csv", t_semicolon), "pipe-delimited": ("csv", t_pipe),
    "Excel tab-delimited text": ("tsv", t_excel_tab),
    "Excel Unicode text (UTF-16)": ("tsv", t_unicode_text),
    "long free text with commas": ("csv", t_long_text), "ragged rows": ("csv", t_ragged),
    "no header row": ("csv", t_no_header), "survey export": ("csv", t_survey),
    "typed by hand, 'a, b'": ("csv", t_spaced), "pandas index column": ("csv", t_index),
    "header only": ("csv", t_header_only), "one column": ("csv", t_one_column),
    # after the others, so that adding them left the others' payloads as they were
    "column A empty": ("csv", t_blank_first),
    "ragged rows, a phrase as a label": ("csv", t_ragged_label),
}
AMBIGUOUS = {"one column": "no delimiter: only the .csv extension can say it is a table"}


# -- running -------------------------------------------------------------------------------

def samples(src: Sources, count: int, prose_files: list[Path], table_files: list[Path]
            ) -> Iterator[tuple[str, str, frozenset[str], bytes]]:
    """(group, kind, the formats that are right for a table (none for prose), bytes)."""
    for kind, make in PROSE.items():
        for _ in range(count):
            yield "prose", kind, frozenset(), _encode(src, make(src))
    for path in prose_files:
        yield "prose", "given prose files", frozenset(), path.read_bytes()
    for kind, (fmt, make_table) in TABLE.items():
        for _ in range(count):
            yield "table", kind, frozenset({fmt}), _encode(src, make_table(src))
    for path in table_files:
        yield "table", "given table files", frozenset(TABLES), path.read_bytes()


def _encode(src: Sources, text: str | bytes) -> bytes:
    if isinstance(text, bytes):
        return text
    bom = b"\xef\xbb\xbf" if src.rng.random() < 0.1 else b""  # Windows Notepad, Excel
    return bom + text.encode("utf-8")


def _files(paths: list[str]) -> list[Path]:
    found: list[Path] = []
    for path in map(Path, paths):
        found.extend(sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir()
                     else [path])
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--count", type=int, default=200, help="payloads of each kind")
    parser.add_argument("--prose", nargs="*", default=[], metavar="PATH",
                        help="also judge these files (or every file under a folder) as prose")
    parser.add_argument("--tables", nargs="*", default=[], metavar="PATH",
                        help="also judge these files as tables (csv or tsv is right)")
    parser.add_argument("--show-errors", type=int, default=0, metavar="N",
                        help="print the start of up to N wrongly read payloads of each kind")
    args = parser.parse_args(argv)
    registry = load_registry()
    detect = registry.pm.hook.guardrail_detect_format
    src = Sources(args.seed)
    seen: Counter[tuple[str, str]] = Counter()
    wrong: Counter[tuple[str, str, int]] = Counter()
    other: Counter[str] = Counter()  # what prose named x.txt was read as, if not text
    examples: dict[tuple[str, str], list[tuple[str, bytes]]] = defaultdict(list)
    for group, kind, right, data in samples(src, args.count, _files(args.prose),
                                            _files(args.tables)):
        seen[group, kind] += 1
        for i, name in enumerate(("x.txt", None)):
            got = detect(payload=Payload(data, name=name), formats=registry.formats)
            if group == "prose" and name and got != "text":
                other[str(got)] += 1
            if (got in TABLES) if group == "prose" else (got not in right):
                wrong[group, kind, i] += 1
                if len(examples[group, kind]) < args.show_errors:
                    examples[group, kind].append((f"{name or '<bytes>'} -> {got}", data))
    print(f"seed {args.seed}, {args.count} generated payloads of each kind\n")
    for group, title in (("prose", "Prose read as a table (csv/tsv)"),
                         ("table", "Tables not read as their format")):
        print(f"{title:<42}{'payloads':>8}{'as x.txt':>10}{'as <bytes>':>12}")
        totals: Counter[str] = Counter()
        for (g, kind), n in seen.items():
            if g != group:
                continue
            txt, raw = wrong[g, kind, 0], wrong[g, kind, 1]
            note = f"  ({AMBIGUOUS[kind]})" if kind in AMBIGUOUS else ""
            print(f"  {kind:<40}{n:>8}{txt:>10}{raw:>12}{note}")
            for key in ("all", "clear") if kind not in AMBIGUOUS else ("all",):
                totals[key] += n
                totals[key + " x.txt"] += txt
                totals[key + " raw"] += raw
        for key, label in (("all", "all"), ("clear", "all but the ambiguous")):
            if totals[key] and (key == "all" or totals[key] != totals["all"]):
                n = totals[key]
                print(f"  {label:<40}{n:>8}{totals[key + ' x.txt'] / n:>10.1%}"
                      f"{totals[key + ' raw'] / n:>12.1%}")
        print()
    if other:
        print("Prose named x.txt read as other than text: "
              + ", ".join(f"{fmt} {n}" for fmt, n in other.most_common()) + "\n")
    for (group, kind), found in examples.items():
        for label, data in found:
            print(f"--- {group} / {kind}: {label}")
            print(textwrap.indent(data[:300].decode("utf-8", "replace"), "    | "))
    return 0


if __name__ == "__main__":
    sys.exit(main())
