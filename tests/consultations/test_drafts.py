"""consultations.drafts: reading a draft act or strategy into its structure (no database)."""

import io
import zipfile

import docx
import pytest
from django.utils import translation
from django.utils.translation import gettext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consultations.drafts import (
    MAX_CHARS,
    Draft,
    DraftError,
    DraftKind,
    Kind,
    number_value,
    parse_docx,
    parse_text,
    slugify_bg,
)

ORDINANCE = """\
НАРЕДБА
за обществения ред на територията на Община Тестово

Приета с Решение № 123 от 15.01.2026 г. на Общински съвет – Тестово.

ГЛАВА ПЪРВА
ОБЩИ РАЗПОРЕДБИ

Чл. 1. (1) С тази наредба се уреждат правилата за поддържане на обществения ред на \
територията на Община Тестово.
(2) Наредбата се прилага по отношение на:
1. физическите лица, които пребивават на територията на общината;
2. юридическите лица и едноличните търговци, както следва:
а) търговските дружества;
б) сдруженията с нестопанска цел.
(3) Контролът по ал. 1 се осъществява от кмета на общината.

Чл. 2. Кметът на общината организира изпълнението на наредбата.

Глава втора
ОПАЗВАНЕ НА ОБЩЕСТВЕНИЯ РЕД

Раздел I
Обществени места

Чл. 3. Забранява се:
1. замърсяването на обществените места;
2. паркирането върху тревни площи.

Раздел II. Нощна тишина

Чл. 12. (1) Времето от 23,00 до 7,00 ч. е време за нощна тишина.
(2) Изключения се допускат по реда на чл. 12а.

Чл. 12а. Кметът може да разрешава провеждането на мероприятия след 23,00 ч.

ДОПЪЛНИТЕЛНИ РАЗПОРЕДБИ

§ 1. По смисъла на тази наредба:
1. „Обществено място“ е всяко място, достъпно за гражданите.
2. „Нощна тишина“ е времето по чл. 12, ал. 1.

ПРЕХОДНИ И ЗАКЛЮЧИТЕЛНИ РАЗПОРЕДБИ

§ 2. Наредбата се издава на основание чл. 21, ал. 2 от ЗМСМА.
§ 3. Наредбата влиза в сила от деня на публикуването ѝ.
"""

STRATEGY = """\
# Стратегия за развитие на младежките дейности в Община Тестово 2026–2030

Стратегията е изготвена съгласно Закона за младежта.

## 1. Въведение

Младите хора са 12 % от населението на общината.

## 2. Анализ на състоянието

### 2.1. Образование

В общината работят 14 училища.

### 2.2. Заетост

1. младежка безработица – 9 %;
2. регистрирани младежи – 420.

## 3. Цели и мерки

Текст на целите.
"""

PLAIN_PLAN = """\
ПЛАН ЗА ДЕЙСТВИЕ ЗА ДОСТЪПНА СРЕДА

I. ВЪВЕДЕНИЕ
Планът обхваща периода 2026–2027 г.

1. Цели на плана
Основната цел е достъпна среда за всички.

1.1. Приоритети
Текст на приоритетите:
1. изграждане на рампи;
2. достъпни тротоари.

II. МЕРКИ
Мерките са описани в таблица.
"""


def labels(draft: Draft) -> list[str]:
    return [node.label for node in draft.walk()]


def codes(draft: Draft) -> list[tuple[str, str]]:
    return [(w.code, w.label) for w in draft.warnings]


# --- An ordinance ------------------------------------------------------------------------------


def test_ordinance_structure() -> None:
    draft = parse_text(ORDINANCE)
    assert draft.kind == DraftKind.ACT
    assert draft.title == "НАРЕДБА за обществения ред на територията на Община Тестово"
    assert draft.preamble.startswith("НАРЕДБА\nза обществения ред")
    assert "Приета с Решение № 123" in draft.preamble

    kinds = [node.kind for node in draft.nodes]
    assert kinds == [
        Kind.CHAPTER,
        Kind.CHAPTER,
        Kind.FINAL_PROVISIONS,
        Kind.FINAL_PROVISIONS,
    ]
    first, second, additional, final = draft.nodes
    assert (first.number, first.title, first.label) == ("първа", "ОБЩИ РАЗПОРЕДБИ", "Глава първа")
    assert (second.number, second.title, second.anchor) == (
        "втора",
        "ОПАЗВАНЕ НА ОБЩЕСТВЕНИЯ РЕД",
        "glava-2",
    )
    sections = second.children
    assert [s.kind for s in sections] == [Kind.SECTION, Kind.SECTION]
    assert [(s.number, s.title) for s in sections] == [
        ("I", "Обществени места"),
        ("II", "Нощна тишина"),
    ]
    assert [s.label for s in sections] == ["Глава втора, раздел I", "Глава втора, раздел II"]
    assert [s.anchor for s in sections] == ["glava-2-razdel-1", "glava-2-razdel-2"]
    assert [a.label for a in sections[1].children] == ["Чл. 12", "Чл. 12а"]
    assert additional.label == "Допълнителни разпоредби"
    assert final.label == "Преходни и заключителни разпоредби"
    assert [p.label for p in final.children] == ["§ 2", "§ 3"]


def test_article_alineas_points_and_letters() -> None:
    article = parse_text(ORDINANCE).nodes[0].children[0]
    assert (article.kind, article.number, article.marker, article.text) == (
        Kind.ARTICLE,
        "1",
        "Чл. 1.",
        "",
    )
    alineas = article.children
    assert [a.label for a in alineas] == ["Чл. 1, ал. 1", "Чл. 1, ал. 2", "Чл. 1, ал. 3"]
    assert alineas[0].text.startswith("С тази наредба се уреждат правилата")
    assert alineas[0].text.endswith("територията на Община Тестово.")
    points = alineas[1].children
    assert [p.label for p in points] == ["Чл. 1, ал. 2, т. 1", "Чл. 1, ал. 2, т. 2"]
    letters = points[1].children
    assert [(x.kind, x.number, x.text) for x in letters] == [
        (Kind.LETTER, "а", "търговските дружества;"),
        (Kind.LETTER, "б", "сдруженията с нестопанска цел."),
    ]
    assert letters[0].label == "Чл. 1, ал. 2, т. 2, буква „а“"
    assert letters[0].anchor == "chl-1-al-2-t-2-b-a"
    assert alineas[2].text == "Контролът по ал. 1 се осъществява от кмета на общината."


def test_articles_iterates_units_in_order() -> None:
    draft = parse_text(ORDINANCE)
    units = list(draft.articles())
    assert [u.label for u in units] == [
        "Чл. 1", "Чл. 2", "Чл. 3", "Чл. 12", "Чл. 12а", "§ 1", "§ 2", "§ 3",
    ]  # fmt: skip
    assert [u.anchor for u in units] == [
        "chl-1", "chl-2", "chl-3", "chl-12", "chl-12a", "par-1", "par-2", "par-3",
    ]  # fmt: skip
    indexes = [node.index for node in draft.walk()]
    assert indexes == list(range(len(indexes)))
    assert units[3].children[0].anchor == "chl-12-al-1"
    assert units[5].children[1].label == "§ 1, т. 2"
    assert units[5].children[1].anchor == "par-1-t-2"
    assert units[2].children[0].label == "Чл. 3, т. 1"  # a point without an alinea
    assert draft.find("chl-12a") is units[4]
    assert draft.find("nothing") is None


def test_anchors_are_unique_and_safe() -> None:
    anchors = [node.anchor for node in parse_text(ORDINANCE + "\nЧл. 3. Повторен.\n").walk()]
    assert len(anchors) == len(set(anchors))
    assert all(
        a and a[0].isalpha() and set(a) <= set("abcdefghijklmnopqrstuvwxyz0123456789-")
        for a in anchors
    )
    assert "chl-3-2" in anchors


def test_clean_ordinance_has_no_warnings() -> None:
    # Чл. 12 follows Чл. 3: the sample has a gap on purpose, everything else is in order.
    assert codes(parse_text(ORDINANCE)) == [("gap", "Чл. 12")]


def test_warnings_for_gaps_duplicates_and_order() -> None:
    text = """\
Чл. 1. Първи.
Чл. 2. (1) Текст.
(3) Пропусната ал. 2.
Чл. 4. Пропуснат чл. 3.
Чл. 4. Дублиран.
Чл. 3. Назад.
Чл. 5. Точки:
1. първа;
1. отново първа;
Чл. 6.
Заключителни разпоредби
§ 2. Параграфите започват от 2.
"""
    draft = parse_text(text)
    assert codes(draft) == [
        ("gap", "Чл. 2, ал. 3"),
        ("gap", "Чл. 4"),
        ("duplicate", "Чл. 4"),
        ("order", "Чл. 3"),
        ("duplicate", "Чл. 5, т. 1"),
        ("no_text", "Чл. 6"),
        ("start", "§ 2"),
    ]
    gap = draft.warnings[1]
    assert gap.message == gettext("%(label)s follows %(previous)s: a number is skipped.") % {
        "label": "Чл. 4",
        "previous": "Чл. 2",
    }
    assert gap.line == 4


def test_twelve_a_is_not_a_gap() -> None:
    draft = parse_text("Чл. 11. А.\nЧл. 12. Б.\nЧл. 12а. В.\nЧл. 12б. Г.\nЧл. 13. Д.")
    assert codes(draft) == [("start", "Чл. 11")]
    assert [u.number for u in draft.articles()] == ["11", "12", "12а", "12б", "13"]


def test_article_with_roman_and_cyrillic_lookalike_chapters() -> None:
    # "ХІІ" typed with the Cyrillic Х and І is still chapter 12.
    draft = parse_text("Глава ХІ\nОбщи\nЧл. 1. А.\nГЛАВА XII. Особени\nЧл. 2. Б.")
    chapters = [n for n in draft.walk() if n.kind == Kind.CHAPTER]
    assert [(c.number, c.title, c.anchor) for c in chapters] == [
        ("XI", "Общи", "glava-11"),
        ("XII", "Особени", "glava-12"),
    ]
    assert codes(draft) == [("start", "Глава XI")]


def test_parts_and_compound_ordinals() -> None:
    text = (
        "Част първа\nОбщи правила\nГлава първа\nЧл. 1. А.\n"
        "ЧАСТ ВТОРА – Особени правила\nГлава двадесет и първа\nЧл. 2. Б."
    )
    draft = parse_text(text)
    parts = draft.nodes
    assert [(p.kind, p.number, p.title, p.label) for p in parts] == [
        (Kind.PART, "първа", "Общи правила", "Част първа"),
        (Kind.PART, "втора", "Особени правила", "Част втора"),
    ]
    assert parts[1].children[0].label == "Глава двадесет и първа"
    assert parts[1].children[0].anchor == "glava-21"
    assert ("gap", "Глава двадесет и първа") in codes(draft)


def test_references_and_quotes_are_not_structure() -> None:
    text = """\
Наредба за изменение и допълнение на Наредбата за обществения ред

§ 1. В чл. 5 се правят следните изменения:
„Чл. 5. (1) Нов текст на алинеята.
(2) Втора нова алинея.
1. точка в цитата.“
§ 2. Текстът продължава, като се позовава на
чл. 7 от закона и на ал. 3.
"""
    draft = parse_text(text)
    assert [u.label for u in draft.articles()] == ["§ 1", "§ 2"]
    first = draft.nodes[0]
    assert first.children == []
    assert "(2) Втора нова алинея." in first.text
    assert draft.nodes[1].text.endswith("чл. 7 от закона и на ал. 3.")
    assert draft.warnings == []


def test_unclosed_quote_is_a_warning_and_does_not_swallow_the_act() -> None:
    lines = ["Чл. 1. Текстът „не е затворен"] + ["ред"] * 250 + ["Чл. 2. Следващ."]
    draft = parse_text("\n".join(lines))
    assert [u.label for u in draft.articles()] == ["Чл. 1", "Чл. 2"]
    assert codes(draft) == [("unclosed_quote", "Чл. 1")]


def test_markdown_ordinance_with_bold_articles_and_headings() -> None:
    text = """\
# НАРЕДБА за символиката на Община Тестово

## Глава първа
### Общи разпоредби

**Чл. 1.** (1) Символите на общината са герб и знаме.
(2) Описанието е в приложението.

**Чл. 2.** Текст.

## Заключителни разпоредби

**§ 1.** Наредбата влиза в сила.

## Приложение № 1 към чл. 1, ал. 2
Описание на герба.
"""
    draft = parse_text(text)
    assert draft.kind == DraftKind.ACT
    assert draft.title == "НАРЕДБА за символиката на Община Тестово"
    assert labels(draft) == [
        "Глава първа", "Чл. 1", "Чл. 1, ал. 1", "Чл. 1, ал. 2", "Чл. 2",
        "Заключителни разпоредби", "§ 1", "Приложение № 1",
    ]  # fmt: skip
    assert draft.nodes[0].title == "Общи разпоредби"
    annex = draft.nodes[-1]
    assert (annex.kind, annex.anchor, annex.title) == (
        Kind.HEADING,
        "prilozhenie-1",
        "към чл. 1, ал. 2",
    )
    assert annex.text == "Описание на герба."
    assert annex in list(draft.articles())


# --- Strategies and plain text ------------------------------------------------------------------


def test_strategy_with_markdown_headings() -> None:
    draft = parse_text(STRATEGY)
    assert draft.kind == DraftKind.DOCUMENT
    assert draft.title == "Стратегия за развитие на младежките дейности в Община Тестово 2026–2030"
    units = list(draft.articles())
    assert [(u.level, u.number, u.title) for u in units] == [
        (1, "", "Стратегия за развитие на младежките дейности в Община Тестово 2026–2030"),
        (2, "1", "Въведение"),
        (2, "2", "Анализ на състоянието"),
        (3, "2.1", "Образование"),
        (3, "2.2", "Заетост"),
        (2, "3", "Цели и мерки"),
    ]
    assert [u.anchor for u in units] == ["h-1", "h-2", "h-3", "h-4", "h-5", "h-6"]
    assert units[3].label == "2.1. Образование"
    # Numbered lines under a Markdown heading are text, not headings.
    assert units[4].text == "1. младежка безработица – 9 %;\n2. регистрирани младежи – 420."
    assert units[1].text == "Младите хора са 12 % от населението на общината."
    assert [c.title for c in draft.nodes[0].children[1].children] == ["Образование", "Заетост"]
    assert draft.warnings == []


def test_plain_text_plan_with_numbered_headings() -> None:
    draft = parse_text(PLAIN_PLAN)
    assert draft.kind == DraftKind.DOCUMENT
    assert draft.preamble == "ПЛАН ЗА ДЕЙСТВИЕ ЗА ДОСТЪПНА СРЕДА"
    units = list(draft.articles())
    assert [(u.level, u.marker, u.title) for u in units] == [
        (1, "I.", "ВЪВЕДЕНИЕ"),
        (2, "1.", "Цели на плана"),
        (3, "1.1.", "Приоритети"),
        (1, "II.", "МЕРКИ"),
    ]
    # Lower-case list items ending with ";" stay in the text.
    assert units[2].text == "Текст на приоритетите:\n1. изграждане на рампи;\n2. достъпни тротоари."


def test_plain_text_ordinance_without_markdown() -> None:
    text = ORDINANCE.replace("\n\n", "\n")
    draft = parse_text(text)
    assert [u.label for u in draft.articles()] == [
        u.label for u in parse_text(ORDINANCE).articles()
    ]


def test_unrecognisable_text_is_one_unit() -> None:
    draft = parse_text("Предлагам да се засадят дървета.\nБлагодаря.")
    assert draft.kind == DraftKind.PLAIN
    (unit,) = draft.articles()
    assert (unit.kind, unit.label, unit.anchor) == (Kind.TEXT, "Целият текст", "text")
    assert unit.text == "Предлагам да се засадят дървета.\nБлагодаря."
    assert codes(draft) == [("unrecognised", "")]


@pytest.mark.parametrize("text", ["", "   \n\n\t", "\ufeff"])
def test_empty_text_is_one_empty_unit(text: str) -> None:
    draft = parse_text(text)
    assert [(u.kind, u.text) for u in draft.articles()] == [(Kind.TEXT, text.strip())]
    assert codes(draft) == [("empty", "")]


def test_size_limit() -> None:
    assert parse_text("Чл. 1. " + "а" * (MAX_CHARS - 7)).nodes[0].label == "Чл. 1"
    with pytest.raises(DraftError):
        parse_text("а" * (MAX_CHARS + 1))


def test_numbers_and_slugs() -> None:
    numbers = ("12а", "II", "ХІV", "първа", "трети", "двадесет и втора")
    assert [number_value(n) for n in numbers] == [12, 2, 14, 1, 3, 22]
    assert number_value("глава") is None
    assert (
        slugify_bg("Преходни и заключителни разпоредби") == "prehodni-i-zaklyuchitelni-razporedbi"
    )


# --- .docx --------------------------------------------------------------------------------------


def docx_bytes(document: docx.document.Document) -> io.BytesIO:
    buffer = io.BytesIO()
    document.save(buffer)
    buffer.seek(0)
    return buffer


def test_docx_with_heading_styles_and_a_table() -> None:
    document = docx.Document()
    document.add_paragraph("НАРЕДБА за таксите", style="Title")
    document.add_heading("Глава първа", 1)
    document.add_heading("Общи положения", 2)
    paragraph = document.add_paragraph()
    paragraph.add_run("Чл. 1.").bold = True
    paragraph.add_run(" (1) Таксите са посочени в таблицата:")
    table = document.add_table(rows=2, cols=2)
    for (row, column), text in {
        (0, 0): "Услуга",
        (0, 1): "Такса",
        (1, 0): "1. Удостоверение",
        (1, 1): "5 евро",
    }.items():
        table.cell(row, column).text = text
    document.add_paragraph("(2) Таксите се плащат предварително.")
    document.add_heading("Заключителни разпоредби", 1)
    document.add_paragraph("§ 1. Наредбата влиза в сила.")
    draft = parse_docx(docx_bytes(document))
    assert draft.kind == DraftKind.ACT
    assert draft.title == "НАРЕДБА за таксите"
    assert labels(draft) == [
        "Глава първа", "Чл. 1", "Чл. 1, ал. 1", "Чл. 1, ал. 2", "Заключителни разпоредби", "§ 1",
    ]  # fmt: skip
    assert draft.nodes[0].title == "Общи положения"
    alinea = draft.nodes[0].children[0].children[0]
    # Table rows stay text lines, and "1. Удостоверение" in a cell is not a point.
    assert (
        alinea.text == "Таксите са посочени в таблицата:\nУслуга | Такса\n1. Удостоверение | 5 евро"
    )
    assert alinea.children == []


def test_docx_strategy_with_heading_styles(tmp_path) -> None:
    document = docx.Document()
    document.add_paragraph("Проект")
    document.add_heading("Стратегия за култура", 1)
    document.add_heading("1. Въведение", 2)
    document.add_paragraph("Текст на въведението.")
    document.add_heading("Цели", 2)
    document.add_heading("Цел 1", 3)
    document.add_paragraph("Да се опазва наследството.")
    path = tmp_path / "strategy.docx"
    document.save(str(path))
    with path.open("rb") as handle:
        drafts = [parse_docx(path), parse_docx(str(path)), parse_docx(handle)]
    for draft in drafts:
        assert draft.kind == DraftKind.DOCUMENT
        assert draft.preamble == "Проект"
        assert [(u.level, u.number, u.title, u.anchor) for u in draft.articles()] == [
            (1, "", "Стратегия за култура", "h-1"),
            (2, "1", "Въведение", "h-2"),
            (2, "", "Цели", "h-3"),
            (3, "", "Цел 1", "h-4"),
        ]
        assert draft.find("h-4").text == "Да се опазва наследството."


def test_docx_without_styles_and_with_automatic_numbering() -> None:
    document = docx.Document()
    for text in (
        "ПРАВИЛНИК за организацията и дейността на Общинския съвет",
        "Глава първа",
        "ОБЩИ ПОЛОЖЕНИЯ",
        "Чл. 1. Правилникът урежда:",
    ):
        document.add_paragraph(text)
    # Word numbers these itself: "1." and "2." are not in the text of the paragraphs.
    document.add_paragraph("организацията на съвета;", style="List Number")
    document.add_paragraph("дейността на комисиите.", style="List Number")
    document.add_paragraph("Чл. 2. Съветът заседава публично.\nЗаседанията се излъчват.")
    draft = parse_docx(docx_bytes(document))
    assert draft.title == "ПРАВИЛНИК за организацията и дейността на Общинския съвет"
    chapter = draft.nodes[0]
    assert (chapter.label, chapter.title) == ("Глава първа", "ОБЩИ ПОЛОЖЕНИЯ")
    first, second = chapter.children
    assert [(p.label, p.text) for p in first.children] == [
        ("Чл. 1, т. 1", "организацията на съвета;"),
        ("Чл. 1, т. 2", "дейността на комисиите."),
    ]
    assert second.text == "Съветът заседава публично.\nЗаседанията се излъчват."
    assert draft.warnings == []


def test_docx_bulleted_strategy_without_styles() -> None:
    document = docx.Document()
    document.add_paragraph("ПЛАН ЗА ЗАЛЕСЯВАНЕ")
    document.add_paragraph("1. Цели")
    document.add_paragraph("Да се засадят 1000 дървета.")
    document.add_paragraph("Мерки", style="List Bullet")
    draft = parse_docx(docx_bytes(document))
    assert [(u.marker, u.title, u.text) for u in draft.articles()] == [
        ("1.", "Цели", "Да се засадят 1000 дървета.\nМерки"),
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", r"not a \.docx"),
        (b"%PDF-1.7 not a word file", r"not a \.docx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old Word .doc"),
    ],
)
def test_not_a_docx_raises(content: bytes, message: str) -> None:
    with translation.override("en"), pytest.raises(DraftError, match=message):
        parse_docx(io.BytesIO(content))


def test_a_zip_that_is_not_a_docx_raises() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
    with translation.override("en"), pytest.raises(DraftError, match=r"not a \.docx"):
        parse_docx(io.BytesIO(buffer.getvalue()))
    broken = io.BytesIO()
    with zipfile.ZipFile(broken, "w") as archive:
        archive.writestr("word/document.xml", "<not xml")
    with translation.override("en"), pytest.raises(DraftError, match=r"not a \.docx"):
        parse_docx(broken)


# --- Robustness ---------------------------------------------------------------------------------

FRAGMENTS = [
    "Чл. 1.", "Чл. 12а.", "Чл. 3", "Член 4.", "§ 1.", "§ 2", "(1)", "(2а)", "1.", "2)", "а)",
    "б)", "Глава първа", "ГЛАВА II", "Глава ХІ.", "Раздел I", "Част втора", "Приложение № 1",
    "Допълнителни разпоредби", "Преходни и заключителни разпоредби", "# ", "## ", "**", "„", "“",
    "1.1.", "I.", "Общи разпоредби", "текст", "\n", "\n\n", " ", "\r\n", "\t", "\u00a0",
    "\ufeff", "\x00", "#", "_", "•", "ал. 2", "чл. 5 от закона",
]  # fmt: skip
_SKIPPED = set("#*_\ufeff\x00")


def significant(text: str) -> str:
    """The characters the parser must keep: all but whitespace and Markdown markup."""
    return "".join(c for c in text if not c.isspace() and c not in _SKIPPED)


draft_texts = st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=12), max_size=40).map(
    "".join
) | st.text(max_size=300)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(draft_texts)
def test_never_raises_and_keeps_every_character(text: str) -> None:
    draft = parse_text(text)
    assert significant(draft.full_text()) == significant(text)
    units = list(draft.articles())
    assert units
    anchors = [n.anchor for n in draft.walk()]
    assert len(anchors) == len(set(anchors))
    assert all(anchors)
    assert [n.index for n in draft.walk()] == list(range(len(anchors)))


@settings(max_examples=15, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=20), max_size=12))
def test_docx_never_raises(paragraphs: list[str]) -> None:
    document = docx.Document()
    for text in paragraphs:
        clean = "".join(c for c in text if c.isprintable() or c == "\n")
        document.add_paragraph(clean)
    draft = parse_docx(docx_bytes(document))
    assert isinstance(draft, Draft)
